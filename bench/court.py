"""What the court link costs a closing case: `python -m bench.court [--cases N] [--database URL]`

Runs 如皋's chain (受理 → 转后台 → 派单 → 调解成功, which closes the case) for N cases twice on
fresh databases: once with the seed definition (its `法院对接` makes every closing case ask
whether the court has it: engine/court.py `hold`), once with the court block taken out (the
baseline, same run). Prints the mean time per closing action of each and their ratio. SQLite
in a temporary file by default; `--database` takes a scratch PostgreSQL database whose schema
it drops and recreates.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, text

from dsl import compile_files
from engine import versions
from engine.cases import Engine as Workflow
from engine.db import make_engine
from engine.schema import upgrade
from engine.scope import Membership, Principal

RUGAO = Path(__file__).resolve().parents[1] / "definitions" / "rugao"
VILLAGE, TOWN = "东兴社区", "如城街道"
PARTY = {"name": "冒一", "role": "申请人", "phone": "13800001111"}
DATA = {"location": {"town": TOWN}, "summary": "相邻宅基地排水沟堵塞引发争执"}
FACTS = {"channel": "来访", "category": "邻里纠纷", "severity": "一般"}
AGREED = {"method": "人民调解", "result": "化解成功", "notes": "双方签订调解协议约定分期付款"}


def who(*memberships: tuple[str, str, str | None]) -> Principal:
    found = tuple(Membership(center=c, role=r, office=o) for c, r, o in memberships)
    return Principal(username="bench", display_name="bench", county="rugao", memberships=found)


DISPATCHER = who((VILLAGE, "调度员", None), (VILLAGE, "窗口人员", None))
MEDIATOR = who((VILLAGE, "调解员", "人民调解委员会"))


def files(with_court: bool) -> dict[str, str]:
    found = {
        str(p.relative_to(RUGAO)): p.read_text(encoding="utf-8")
        for p in RUGAO.rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }
    if not with_court:
        county = found["county.yd"]
        start = county.index("法院对接 法院 {")
        found["county.yd"] = county[:start] + county[county.index("\n}\n", start) + 3 :]
    return found


def fresh(url: str | None, folder: Path, name: str) -> Engine:
    if url:
        db = make_engine(url)
        with db.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db = make_engine(f"sqlite:///{folder / name}.db")
    upgrade(db)
    return db


def run(db: Engine, with_court: bool, cases: int) -> list[float]:
    result = compile_files("rugao", files(with_court))
    assert result.county is not None, result.errors
    versions.publish(db, result.county, by="bench")
    wf = Workflow(db)
    timings = []
    for _ in range(cases):
        view = wf.receive("窗口", "rugao", **FACTS, location=VILLAGE, parties=[PARTY], data=DATA)
        [ticket] = view.open_tickets()
        view = wf.act(DISPATCHER, ticket.id, "转后台", {**DATA, **FACTS, "parties": [PARTY]})
        [ticket] = view.open_tickets()
        view = wf.act(DISPATCHER, ticket.id, "派单", {"office": "人民调解委员会"})
        [ticket] = view.open_tickets()
        started = time.perf_counter()
        view = wf.act(MEDIATOR, ticket.id, "调解成功", AGREED)
        timings.append(time.perf_counter() - started)
        assert view.status == "closed"
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        found = {}
        for with_court in (False, True, False, True):  # interleaved: warm-up drift shared
            db = fresh(args.database, Path(folder), f"court-{with_court}-{len(found)}")
            try:
                found.setdefault(with_court, []).extend(run(db, with_court, args.cases))
            finally:
                db.dispose()
    base = statistics.mean(found[False]) * 1000
    court = statistics.mean(found[True]) * 1000
    print(f"closing action (调解成功), {2 * args.cases} cases each, mean:")
    print(f"  without 法院对接 (baseline): {base:.2f} ms")
    print(f"  with 法院对接:               {court:.2f} ms  ({court / base:.2f}x)")


if __name__ == "__main__":
    main()
