"""Web benchmark: `python -m bench.web [--cases N] [--database URL] [--duration S]`.

Fills a database with N cases (default 100,000) of the xiaogan demo county, serves the app on
127.0.0.1 with uvicorn, drives it with wrk, and prints requests/s, p50 and p99
for the inbox, the case page and a ticket submission, plus /healthz of the same app as the
ceiling, with ratios; and the server's peak RSS under that load.

Goals (issue 7): inbox >= 1/4 of the ceiling with p99 < 50 ms; server RSS < 300 MB.
Every answer is checked (a page must be a 200, a submission a 303 back to its case, and the
database must hold the accepted tickets): when the expected successes are missing the run
exits 1 and says which figure measured something else. `--quick`: 5,000 cases, 3 s each.
`--workers N` runs N uvicorn workers (the ceiling is measured on the same server, so the
ratio compares like with like); the server sets TCP_NODELAY on accepted sockets, because
uvicorn's multi-worker mode leaves Nagle on (uvicorn #3149; `--nagle` shows the difference).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from admin.accounts import MembershipSpec, create_user
from engine import schema, versions
from engine.db import make_engine
from engine.tables import Case, CaseParty, Event, Ticket

ROOT = Path(__file__).resolve().parents[1]
TOWNS = ["书院街道", "新华街道", "朋兴乡"]
PASSWORD = "bench-password-2026"
BATCH = 5000
SUBMIT_CONNECTIONS = 2  # ticket submissions in flight at once


def fill(db: Engine, cases: int) -> tuple[list[str], list[int]]:
    """Bulk-insert cases with one party, one event and one ticket each (Core, executemany).

    Returns the codes of the bench handler's cases and the ids of their open 接单 tickets."""
    import dsl

    model = dsl.compile_county(ROOT / "definitions" / "xiaogan")
    version = versions.publish(db, model, by="bench")
    rng = random.Random(7)
    now = datetime.now(UTC)
    mine: list[str] = []
    case_rows: list[dict[str, Any]] = []
    for n in range(1, cases + 1):
        town = TOWNS[n % 3]
        closed = n % 5 == 0
        step = "接单" if n % 2 else "派单"
        received = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        case_rows.append(
            {
                "id": n,
                "county_id": version.county_id,
                "version_id": version.id,
                "code": f"XG-2026-{n:06d}",
                "title": "邻里纠纷",
                "channel": "来访",
                "window": "综合窗口",
                "received_at": received,
                "received_by": "bench",
                "received_center": town,
                "visits": 1,
                # every fourth a sub-category of 婚姻家庭: the 事项类型 filter's family figure
                "category": "离婚纠纷" if n % 4 == 1 else "邻里纠纷",
                "severity": "一般",
                "location": town,
                "process": "五单制",
                "level": "镇",
                "center": town,
                "office": "司法所",
                "step": None if closed else step,
                "status": "closed" if closed else "open",
                "colour": "",
                "supervised": False,
                "mediated": False,
                "escalations": 0,
                "reopenings": 0,
                "data": {},
                "due_at": received + timedelta(days=3),
                "updated_at": received,
                "closed_at": received + timedelta(days=2) if closed else None,
            }
        )
        if town == TOWNS[0] and step == "接单" and not closed:
            mine.append(f"XG-2026-{n:06d}")
    with db.begin() as conn:
        for start in range(0, cases, BATCH):
            chunk = case_rows[start : start + BATCH]
            conn.execute(insert(Case), chunk)
            conn.execute(insert(CaseParty), [_party(r) for r in chunk])
            conn.execute(insert(Event), [_event(r) for r in chunk])
            conn.execute(insert(Ticket), [_ticket(r) for r in chunk])
    if db.dialect.name == "postgresql":
        with db.begin() as conn:
            for table in ("case", "ticket", "case_party", "event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'(SELECT max(id) FROM "{table}"))'
                    )
                )
            conn.execute(text("ANALYZE"))
    else:
        with db.begin() as conn:
            conn.execute(text("ANALYZE"))
    with db.connect() as conn:
        tickets = (
            conn.execute(
                text(
                    'SELECT t.id FROM ticket t JOIN "case" c ON c.id = t.case_id '
                    "WHERE t.state = 'open' AND t.step = '接单' AND t.center = :town"
                ),
                {"town": TOWNS[0]},
            )
            .scalars()
            .all()
        )
    return mine, list(tickets)


def _party(case: dict[str, Any]) -> dict[str, Any]:
    n = case["id"]
    return {"case_id": n, "name": f"当事人{n}", "phone": f"138{n:08d}", "role": "申请人"}


def _event(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "county_id": case["county_id"],
        "case_id": case["id"],
        "at": case["received_at"],
        "actor": "bench",
        "kind": "received",
        "note": "",
    }


def _ticket(case: dict[str, Any]) -> dict[str, Any]:
    step = case["step"] or "核单"
    dispatch = step == "派单"
    return {
        "id": case["id"],
        "county_id": case["county_id"],
        "case_id": case["id"],
        "step": step,
        "name": step,
        "kind": "task",
        "state": "completed" if case["status"] == "closed" else "open",
        "center": case["center"],
        "office": None if dispatch else "司法所",
        "role": "调度员" if dispatch else "承办人",
        "created_at": case["received_at"],
        "due_at": case["due_at"],
        "colour": "",
        "completed_at": case["closed_at"],
        "completed_by": "bench" if case["closed_at"] else None,
    }


# --- server and load -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The supervising process imports only uvicorn: the app (and its memory) lives in the workers.
SERVER = """
import sys, uvicorn
port, workers, nagle = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "nagle"
options = dict(host="127.0.0.1", port=port, log_level="warning", access_log=False)
if not nagle:
    options["http"] = "server:NoDelayHTTPProtocol"
uvicorn.run("server:asgi_app", factory=True, workers=workers, **options)
"""


def start_server(
    url: str, data_dir: Path, port: int, workers: int = 1, nagle: bool = False
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": url,
        "YIDI_DATA_DIR": str(data_dir),
        "YIDI_LOG_LEVEL": "warning",
    }
    mode = "nagle" if nagle else "nodelay"
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(workers), mode], env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(port, "GET", "/healthz")
            if workers == 1 or len(_children(proc.pid)) >= workers:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def fetch(port: int, method: str, path: str, body: str = "", cookie: str = "") -> tuple[str, str]:
    """One request with the standard library; returns (body, Set-Cookie value or "")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text_body = response.read().decode("utf-8", "replace")
    # the session cookie: a login also sets the device cookie (yidi_device), which is not it
    cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
    conn.close()
    session_cookie = [c for c in cookies if c.startswith("yidi_session=")]
    return text_body, (session_cookie or cookies or [""])[0]


def session(port: int, username: str) -> tuple[str, str]:
    """Log in; returns (cookie header, csrf token)."""
    page, cookie = fetch(port, "GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    _, cookie = fetch(port, "POST", "/login", form, cookie)
    page, _ = fetch(port, "GET", "/inbox", cookie=cookie)
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert fresh, "login failed"
    return cookie, fresh.group(1)


LUA_PATHS = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("%s", paths[(i - 1) %% #paths + 1], nil, %s)
end
-- Count the answers that are what the benchmark measures (a status, and for a redirect its
-- target), per thread, summed at the end: wrk itself counts any 3xx as a success, so a login
-- redirect or a refusal page would pass for work done.
local threads = {}
function setup(thread) table.insert(threads, thread) end
ok, other = 0, 0
function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local wanted = status == %d and string.sub(location, 1, %d) == "%s"
  if wanted then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    bad = bad + thread:get("other")
  end
  io.write(string.format("yidi-answers ok=%%d other=%%d\\n", good, bad))
end
"""


def wrk(
    base: str,
    paths: list[str],
    *,
    method: str = "GET",
    body: str = "",
    cookie: str = "",
    duration: int,
    connections: int = 8,
    threads: int = 2,
    server: int = 0,
    expect: int = 200,
    location: str = "",
) -> dict[str, float]:
    """wrk's figures, plus the server's CPU time per request when `server` (its pid) is given:
    on a shared machine throughput follows the CPU the server gets, CPU per request does not.
    `ok` counts the answers with status `expect` (and a Location starting with `location`),
    `other` every other answer."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    lua_body = "nil" if not body else f'"{body}"'
    script = LUA_PATHS % (quoted, method, lua_body, expect, len(location), location)
    headers = []
    if cookie:
        headers += ["-H", f"Cookie: {cookie}"]
    if method == "POST":
        headers += ["-H", "Content-Type: application/x-www-form-urlencoded"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    cpu_before = server_cpu_seconds(server) if server else 0.0
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            handle.name,
            *headers,
            base,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    out = result.stdout + result.stderr
    os.unlink(handle.name)
    figures = parse_wrk(out)
    answers = re.search(r"yidi-answers ok=(\d+) other=(\d+)", out)
    if answers is None:
        raise RuntimeError("wrk printed no answer counts:\n" + out)
    figures["ok"], figures["other"] = float(answers.group(1)), float(answers.group(2))
    figures["ok_rps"] = figures["ok"] / duration
    if server and figures["requests"]:
        used = server_cpu_seconds(server) - cpu_before
        figures["cpu_ms"] = used * 1000 / figures["requests"]
    return figures


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its worker processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _ms(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]+", "", value)  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    if "Requests/sec" not in out or "50%" not in out:
        raise RuntimeError("unexpected wrk output:\n" + out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    done = re.search(r"(\d+) requests in", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "errors": float(bad.group(1)) if bad else 0.0,
        "requests": float(done.group(1)) if done else 0.0,
        "cpu_ms": 0.0,
    }


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(the largest process's peak, the sum of every server process's peak): with several
    workers the sum is an upper bound of what the server held at once."""
    peaks = [_peak_rss_mb(p) for p in [pid, *_children(pid)]]
    return max(peaks), sum(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--quick", action="store_true", help="5,000 cases and 3 s per endpoint (a smoke run)"
    )
    parser.add_argument("--database", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (the ceiling too)"
    )
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="leave uvicorn's default protocol (Nagle on with several workers, uvicorn #3149)",
    )
    args = parser.parse_args()
    if args.quick:
        args.cases, args.duration = min(args.cases, 5_000), min(args.duration, 3)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="yidi-bench-web-"))
    url = args.database or f"sqlite:///{work / 'bench.db'}"
    db = make_engine(url)
    if db.dialect.name == "postgresql":
        with db.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    started = time.perf_counter()
    codes, tickets = fill(db, args.cases)
    print(
        f"filled {args.cases} cases in {time.perf_counter() - started:.1f} s ({db.dialect.name}); "
        f"bench handler's inbox: {len(codes)} open tickets"
    )
    create_user(
        db,
        "bench_handler",
        PASSWORD,
        display_name="司法所承办人",
        county="xiaogan",
        memberships=[MembershipSpec("书院街道", "承办人", "司法所")],
    )
    db.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, work, port, args.workers, args.nagle)
    load_before = os.getloadavg()
    try:
        cookie, token = session(port, "bench_handler")
        pid = server.pid
        results = {
            # The inbox's cookie: the ceiling's requests are as large and read the session
            # the same way, so the ratio compares page work only.
            "ceiling (/healthz)": wrk(
                base, ["/healthz"], cookie=cookie, duration=args.duration, server=pid
            ),
            "inbox": wrk(
                base,
                ["/inbox", "/inbox?page=2", "/inbox?tab=overdue"],
                cookie=cookie,
                duration=args.duration,
                server=pid,
            ),
            # 事项类型: a leaf (one bound value) and a parent taking in its sub-categories
            # (婚姻家庭: three), beside the unfiltered inbox above
            "inbox 事项类型": wrk(
                base,
                [
                    "/inbox?category=%E5%A9%9A%E5%A7%BB%E5%AE%B6%E5%BA%AD",
                    "/inbox?category=%E9%82%BB%E9%87%8C%E7%BA%A0%E7%BA%B7",
                ],
                cookie=cookie,
                duration=args.duration,
                server=pid,
            ),
            "case page": wrk(
                base,
                [f"/cases/{c}" for c in codes[:500]],
                cookie=cookie,
                duration=args.duration,
                server=pid,
            ),
            "ticket submission": wrk(
                base,
                # every open ticket: a ticket accepted twice answers 404 (counted as non-2xx/3xx),
                # and at 500+ submissions/s 4,000 tickets ran out within the run
                [f"/tickets/{t}/act/%E6%8E%A5%E6%94%B6" for t in tickets],
                method="POST",
                body=f"csrf_token={token}",
                cookie=cookie,
                # one wrk thread: each thread has its own Lua counter, and a ticket can be
                # accepted only once
                duration=args.duration,
                connections=SUBMIT_CONNECTIONS,
                threads=1,
                server=pid,
                expect=303,  # accepted: back to the case page (a refusal is a 4xx page)
                location="/cases/",
            ),
        }
        accepted = accepted_tickets(url)
        rss, rss_total = peak_rss_mb(server.pid)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    ceiling = results["ceiling (/healthz)"]["rps"]
    print(
        f"server: {args.workers} uvicorn worker(s), TCP_NODELAY "
        f"{'left to uvicorn' if args.nagle else 'set on accepted sockets'}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores, shared)"
    )
    print(
        f"{'endpoint':<22}{'req/s':>10}{'ok/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'vs ceiling':>12}{'ok':>9}{'not ok':>9}{'server CPU ms/req':>19}"
    )
    for name, r in results.items():
        print(
            f"{name:<22}{r['rps']:>10.0f}{r['ok_rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}"
            f"{r['rps'] / ceiling:>12.2f}{r['ok']:>9.0f}{r['other']:>9.0f}{r['cpu_ms']:>19.3f}"
        )
    inbox = results["inbox"]
    print(
        f"inbox_ratio={inbox['rps'] / ceiling:.2f} (goal >= 0.25)  inbox_p99_ms={inbox['p99']:.1f} "
        f"(goal < 50)  server_peak_rss_mb={rss_total:.0f} (goal < 300; largest process "
        f"{rss:.0f})"
    )
    cpu = results["ceiling (/healthz)"]["cpu_ms"] / max(inbox["cpu_ms"], 1e-9)
    print(f"inbox_cpu_ratio={cpu:.2f} (server CPU per ceiling request / per inbox request)")
    missing = missing_successes(results, len(tickets), accepted)
    for line in missing:
        print(f"bench.web: {line}", file=sys.stderr)
    return 1 if missing else 0


def missing_successes(
    results: dict[str, dict[str, float]], tickets: int, accepted: int
) -> list[str]:
    """Why the figures do not measure the work they name (empty when they do): a page must
    answer 200 every time; a ticket submission is accepted once per ticket (the benchmark
    offers each open ticket once, so submissions beyond that many are refused by design),
    and the database must hold as many accepted tickets as were answered as accepted."""
    problems = []
    for name, r in results.items():
        if name == "ticket submission":
            expected = min(r["requests"], tickets)
            if r["ok"] < expected or r["ok"] == 0:
                problems.append(
                    f"「{name}」: {r['ok']:.0f} of {expected:.0f} submissions accepted "
                    f"({r['other']:.0f} answered otherwise): its figure measures refusals"
                )
            # wrk stops counting at the end of its run: a submission still in flight then
            # (at most one per connection) is accepted without being counted.
            if not r["ok"] <= accepted <= r["ok"] + SUBMIT_CONNECTIONS:
                problems.append(
                    f"「{name}」: {r['ok']:.0f} answered as accepted, {accepted} tickets "
                    "accepted in the database"
                )
        elif r["other"] or not r["ok"]:
            problems.append(
                f"「{name}」: {r['other']:.0f} of {r['ok'] + r['other']:.0f} answers were not "
                "200: its figure does not measure the page"
            )
    return problems


def accepted_tickets(url: str) -> int:
    """Tickets the bench handler has accepted, read from the database after the run."""
    db = make_engine(url)
    try:
        with db.connect() as conn:
            found = conn.execute(
                text("SELECT count(*) FROM ticket WHERE completed_by = 'bench_handler'")
            ).scalar_one()
    finally:
        db.dispose()
    return int(found)


if __name__ == "__main__":
    sys.exit(main())
