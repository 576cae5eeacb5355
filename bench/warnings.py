"""Correlated-warning benchmark: `python -m bench.warnings [--database URL] [--history N]
[--intakes N]`.

What correlation adds to intake (engine.correlation, called inside engine.intake.receive):
如皋 (definitions/rugao, two warning rules) is published over a history of `--history` past
cases, each with its party and its warning hits (two per case: the register of clusters the
correlation reads), spread over two years, then `--intakes` cases are received one at a time,
alternately with correlation on and off (off: the hook replaced by a no-op in this process),
so both series run against the same database, history and machine load. Prints p50 and p95
intake time of each series and the difference at p95.

The issue's figure is 1,000,000 past cases and 100,000 register entries; building that many
rows on a shared two-core machine takes long, so the default history is 100,000 cases (200,000
hits): pass `--history 1000000` for the full size. The correlation's reads are index range
scans of one cluster (ix_warning_hit_cluster), so their cost follows the cluster, not the
history: compare two sizes to see it.

The database must be empty (default: a fresh SQLite file); PostgreSQL: a scratch database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

import dsl
from engine import correlation, intake, schema, versions
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.db import make_engine
from engine.prevention_tables import WARNING, WARNING_HIT
from engine.registry import VERSION_T as VERSION
from engine.tables import CASE, EVENT, PARTY

RUGAO = Path(__file__).resolve().parents[1] / "definitions" / "rugao"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CHANNELS = ("12345", "网格", "来访", "110", "信访", "线上")
CATEGORIES = ("邻里纠纷", "婚姻家庭", "物业纠纷", "土地纠纷", "劳动争议", "其他纠纷")
CHUNK = 5000


def county() -> Any:
    return dsl.compile_county(RUGAO)


def build_history(db: Engine, count: int, rng: random.Random) -> list[str]:
    """`count` past cases, their parties and hits, bulk-inserted (not through intake)."""
    model = county()
    versions.publish(db, model, by="bench")
    villages = [c.key for c in model.centers.values() if c.level == "村"]
    phones = [f"139{n:08d}" for n in range(count // 3 + 1)]  # some people come back
    with db.connect() as conn:
        county_id, version_id = conn.execute(select(VERSION.c.county_id, VERSION.c.id)).one()
    for start in range(0, count, CHUNK):
        cases, parties, hits = [], [], []
        for n in range(start, min(count, start + CHUNK)):
            received = NOW - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            case = {
                "id": n + 1,
                "county_id": county_id,
                "version_id": version_id,
                "code": f"RG-H-{n:08d}",
                "title": "历史案件",
                "channel": rng.choice(CHANNELS),
                "received_at": received,
                "received_by": "bench",
                "received_center": "如皋市中心",
                "visits": 0,
                "category": rng.choice(CATEGORIES),
                "severity": "一般",
                "location": rng.choice(villages),
                "process": model.default_process,
                "level": "村",
                "center": "如皋市中心",
                "status": "closed",
                "colour": "",
                "supervised": False,
                "mediated": False,
                "escalations": 0,
                "reopenings": 0,
                "data": {},
                "updated_at": received,
            }
            party = {"name": "历史当事人", "phone": rng.choice(phones), "role": "申请人"}
            cases.append(case)
            parties.append({"case_id": n + 1, **party, "id_number": None})
            for rule in model.warning_rules.values():
                for cluster in correlation.clusters(rule, case, [party]):
                    hits.append(
                        {
                            "county_id": county_id,
                            "rule": rule.key,
                            "cluster": cluster,
                            "case_id": n + 1,
                            "channel": case["channel"],
                            "seen_at": received,
                        }
                    )
        with db.begin() as conn:
            conn.execute(insert(CASE), cases)
            conn.execute(insert(PARTY), parties)
            conn.execute(insert(WARNING_HIT), hits)
    if db.dialect.name == "postgresql":  # the ids were given: move the sequence past them
        with db.begin() as conn:
            sequence = "pg_get_serial_sequence('\"case\"', 'id')"
            conn.exec_driver_sql(f'SELECT setval({sequence}, (SELECT max(id) FROM "case"))')
            conn.exec_driver_sql("ANALYZE")
    return phones


def measure(
    db: Engine, intakes: int, phones: list[str], rng: random.Random
) -> dict[str, list[float]]:
    model = county()
    villages = [c.key for c in model.centers.values() if c.level == "村"]
    clock = ManualClock(NOW)
    wf = Workflow(db, clock)
    real = correlation.correlate
    series: dict[str, list[float]] = {"on": [], "off": []}

    def off(*args: Any, **kwargs: Any) -> list[Any]:
        return []

    for n in range(intakes):
        mode = "on" if n % 2 == 0 else "off"
        intake.correlation.correlate = real if mode == "on" else off  # type: ignore[assignment]
        village = rng.choice(villages)
        phone = rng.choice(phones)
        clock.set(clock.now() + timedelta(minutes=1))
        started = time.perf_counter()
        wf.receive(
            "bench",
            model.key,
            channel=rng.choice(CHANNELS[:2]),
            category=rng.choice(CATEGORIES),
            severity="一般",
            location=village,
            parties=[{"name": "新当事人", "role": "申请人", "phone": phone}],
            data={"summary": "基准测试受理的纠纷概要文字", "location": _location(model, village)},
            visits=0,
        )
        series[mode].append((time.perf_counter() - started) * 1000)
    intake.correlation.correlate = real  # type: ignore[assignment]
    return series


def _location(model: Any, village: str) -> dict[str, str]:
    return {"town": str(model.centers[village].parent), "village": village}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file, WAL)")
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--intakes", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(21)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = make_engine(url)
        schema.upgrade(db)
        started = time.perf_counter()
        phones = build_history(db, args.history, rng)
        built = time.perf_counter() - started
        with db.connect() as conn:
            hits = conn.execute(select(WARNING_HIT.c.id).order_by(WARNING_HIT.c.id.desc())).first()
        series = measure(db, args.intakes, phones, rng)
        with db.connect() as conn:
            raised = conn.execute(select(func.count()).select_from(WARNING)).scalar_one()
            events = conn.execute(
                select(func.count()).where(EVENT.c.kind.in_(["warning_raised", "warning_hit"]))
            ).scalar_one()
        db.dispose()
    print(
        f"database: {db.dialect.name}; history: {args.history} cases, {hits[0] if hits else 0} hits"
    )
    print(f"history built in {built:.1f} s; intakes: {args.intakes} (alternating on / off)")
    print(f"warnings raised during the run: {raised}; intakes that raised or renewed one: {events}")
    for mode in ("off", "on"):
        values = series[mode]
        print(
            f"intake_correlation_{mode}_ms: p50 {statistics.median(values):.2f}, "
            f"p95 {percentile(values, 0.95):.2f}"
        )
    added = percentile(series["on"], 0.95) - percentile(series["off"], 0.95)
    print(f"correlation adds at p95: {added:.2f} ms")


if __name__ == "__main__":
    main()
