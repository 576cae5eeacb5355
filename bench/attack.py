"""Load test under attack: `python -m bench.attack [--database URL] [--seconds S] [--spread]`

Starts `yidi serve` as a real process on 127.0.0.1 (a fresh SQLite file, or the PostgreSQL
database given, whose public schema it DROPS and recreates: give it a scratch database), with
the demo counties and accounts of a first start. After --warmup seconds of the quiet work
(not measured: a fresh process's first requests are slow), three phases of --seconds each:

- quiet: the API takes intakes (two callers, one after another each) while two staff members,
  signed in beforehand, work (a dispatcher reads the inbox and dispatches the API's cases, a
  handler reads hers);
- under attack: the same, plus 40 concurrent bad logins (half unknown usernames, half the
  demo accounts' names) for the whole phase;
- baseline flood: the same, plus the same 40 clients only reading the login page (two reads
  per round instead of a read and a post): what forty fast clients cost whatever they ask, so
  the attack's figures can be read against it.

The 40 clients run in a process of their own, started (and its imports done) before the
phase's clock starts, so its start-up is not counted as the attack's cost.

It prints the API intake p50/p99 quiet and under attack with their ratio (target: p99 under
attack within 2x the quiet one), the staff pages' figures, what the attackers got (by
status) and the 5xx count (must be 0), and exits 1 when a 5xx was seen or an intake or a
staff action failed. `--spread` gives each attacker its own address (X-Forwarded-For, believed
because the server is started with YIDI_TRUSTED_PROXIES=127.0.0.1): the per-address limits
then do not stop them, and every attempt costs the server a real Argon2 check. Bounded: at
most --seconds per phase and 200,000 requests in all; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.web import free_port, server_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
YIDI = Path(sys.executable).with_name("yidi")
ATTACKERS = 40
API_CALLERS = 2
MAX_REQUESTS = 200_000
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
INTAKE = {
    "channel": "12345",
    "category": "邻里纠纷",
    "severity": "一般",
    "location": {"town": "书院街道", "village": "书院社区"},
    "parties": [{"name": "王小明", "role": "申请人", "phone": "13812345678"}],
    "summary": "邻居装修噪音扰民，多次协商未果，请求调解。",
}


@dataclass
class Tally:
    """What one phase saw, filled by many threads."""

    api_ms: list[float] = field(default_factory=list)
    api_when: list[float] = field(default_factory=list)  # when each API answer came
    staff_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    server_cpu: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, ms: float | None = None) -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1
            if ms is not None:
                (self.api_ms if kind == "api" else self.staff_ms).append(ms)
                if kind == "api":
                    self.api_when.append(time.monotonic())

    def count(self, predicate: Any) -> int:
        return sum(n for key, n in self.statuses.items() if predicate(key))


class Client:
    """One keep-alive connection with a small cookie jar (the session; the device cookie a
    login also sets, admin/devices.py)."""

    def __init__(self, port: int, forwarded_for: str = "") -> None:
        self.port, self.forwarded_for = port, forwarded_for
        self.jar: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: str | bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        sent = dict(headers or {})
        if self.jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        for retry in (True, False):
            try:
                self.conn.request(method, path, body=body or None, headers=sent)
                response = self.conn.getresponse()
                break
            except (OSError, http.client.HTTPException) as error:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                # The server closes a keep-alive connection idle for 5 s (between phases)
                # before reading anything: once, on a new connection, is safe.
                idle_close = isinstance(
                    error, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
                )
                if not (retry and idle_close):
                    raise
        text = response.read().decode("utf-8", "replace")
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.jar[name.strip()] = value
        return response.status, text, {k.lower(): v for k, v in response.getheaders()}

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def token(self, path: str) -> str:
        _, page, _ = self.request("GET", path)
        found = TOKEN.search(page)
        return found.group(1) if found else ""


def start(database: str, data_dir: Path, port: int, spread: bool) -> tuple[Any, str]:
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": database,
        "YIDI_DATA_DIR": str(data_dir),
        "YIDI_LOG_LEVEL": "warning",
        "YIDI_PORT": str(port),
    }
    env.pop("YIDI_TRUSTED_PROXIES", None)
    if spread:
        env["YIDI_TRUSTED_PROXIES"] = "127.0.0.1"
    log = open(data_dir / "serve.log", "w+", encoding="utf-8")  # noqa: SIM115 (read back below)
    began = time.monotonic()
    proc = subprocess.Popen([str(YIDI), "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
    while time.monotonic() - began < 120:
        try:
            if Client(port).request("GET", "/readyz")[0] == 200:
                print(f"yidi serve ready in {time.monotonic() - began:.1f} s (first start)")
                log.seek(0)
                return proc, log.read()
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    log.seek(0)
    raise RuntimeError("yidi serve did not start:\n" + log.read()[-3000:])


def api_key(database: str, data_dir: Path) -> str:
    env = {**os.environ, "YIDI_DATABASE_URL": database, "YIDI_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [str(YIDI), "apikey", "add", "--system", "12345热线", "--county", "xiaogan"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def demo_accounts(serve_output: str) -> dict[str, str]:
    """username -> step, role and post, from the chain table the first start printed
    (「  派单\txiaogan14\t调度员（书院街道）」: one account per step of each county's chain)."""
    found = re.findall(r"^  (\S+)\s+([A-Za-z][\w.-]*)\s+(.+)$", serve_output, re.M)
    return {name: f"{step} {label}" for step, name, label in found}


def pick(accounts: dict[str, str], *words: str) -> str:
    return next(n for n, label in accounts.items() if all(w in label for w in words))


def sign_in(port: int, username: str, password: str) -> tuple[Client, str]:
    client = Client(port)
    token = client.token("/login")
    status, _, _ = client.form(
        "/login", {"username": username, "password": password, "csrf_token": token}
    )
    if status != 303:
        raise RuntimeError(f"{username} could not sign in ({status})")
    return client, client.token("/inbox")


class Phase:
    def __init__(self, seconds: float, budget: list[int]) -> None:
        self.ends = time.monotonic() + seconds
        self.budget = budget
        self.lock = threading.Lock()

    def going(self) -> bool:
        with self.lock:
            if self.budget[0] <= 0:
                return False
            self.budget[0] -= 1
        return time.monotonic() < self.ends


def api_caller(port: int, key: str, phase: Phase, tally: Tally, codes: list[str]) -> None:
    client = Client(port)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps({"data": INTAKE}, ensure_ascii=False).encode("utf-8")
    while phase.going():
        began = time.perf_counter()
        try:
            status, text, _ = client.request("POST", "/api/v1/cases", body, headers)
        except (OSError, http.client.HTTPException):
            tally.add("api", 0)
            continue
        tally.add("api", status, (time.perf_counter() - began) * 1000)
        if status == 201:
            with tally.lock:
                codes.append(json.loads(text)["code"])


def dispatcher(staff: tuple[Client, str], phase: Phase, tally: Tally, codes: list[str]) -> None:
    """Reads the inbox and dispatches the API's newest cases to 司法所, one after another."""
    client, token = staff
    while phase.going():
        began = time.perf_counter()
        status, _, _ = client.request("GET", "/inbox")
        tally.add("staff-inbox", status, (time.perf_counter() - began) * 1000)
        with tally.lock:
            code = codes.pop() if codes else None
        if code is None:
            continue
        status, page, _ = client.request("GET", f"/cases/{code}")
        tally.add("staff-case", status)
        link = re.search(r'href="(/tickets/\d+/act/[^"]+)">派发给承办单位<', page)
        if link is None:
            tally.add("staff-no-dispatch-link", status)
            continue
        fields = {"office": "司法所", "instruction": "请尽快调解", "csrf_token": token}
        began = time.perf_counter()
        status, _, _ = client.form(link.group(1), fields)
        tally.add("staff-dispatch", status, (time.perf_counter() - began) * 1000)


def reader(staff: tuple[Client, str], phase: Phase, tally: Tally) -> None:
    client, _ = staff
    while phase.going():
        began = time.perf_counter()
        status, _, _ = client.request("GET", "/inbox")
        tally.add("staff-inbox", status, (time.perf_counter() - began) * 1000)


def attacker(
    port: int, n: int, known: list[str], spread: bool, phase: Phase, tally: Tally, flood: bool
) -> None:
    """Bad logins as fast as the server answers; `flood`: the same clients only reading the
    login page twice instead (the cost of any forty fast clients, whatever they ask)."""
    client = Client(port, f"10.{n // 250}.{n % 250}.7" if spread else "")
    tries = 0
    while phase.going():
        tries += 1
        if flood:
            try:
                status = 200 if client.token("/login") and client.token("/login") else 500
            except (OSError, http.client.HTTPException):
                status = 0
            tally.add("flood-login-page", status)
            continue
        username = known[(n + tries) % len(known)] if n % 2 else f"nobody{n}-{tries}"
        try:
            token = client.token("/login")
            status, _, _ = client.form(
                "/login", {"username": username, "password": f"guess-{tries}", "csrf_token": token}
            )
        except (OSError, http.client.HTTPException):
            status = 0
        tally.add("attack-login", status)


def run_phase(
    port: int,
    seconds: float,
    budget: list[int],
    setup: dict[str, Any],
    attack: bool,
    flood: bool = False,
) -> Tally:
    tally, codes, phase = Tally(), setup["codes"], Phase(seconds, budget)
    threads = [
        threading.Thread(
            target=api_caller, args=(port, setup["key"], phase, tally, codes), daemon=True
        )
        for _ in range(API_CALLERS)
    ]
    threads.append(
        threading.Thread(
            target=dispatcher,
            args=(setup["dispatcher"], phase, tally, codes),
            daemon=True,
        )
    )
    threads.append(
        threading.Thread(
            target=reader,
            args=(setup["handler"], phase, tally),
            daemon=True,
        )
    )
    attack_process = None
    if attack:  # in a process of its own: forty threads here would slow our own clocks
        context = multiprocessing.get_context("spawn")
        results, ready, go = context.Queue(), context.Event(), context.Event()
        attack_process = context.Process(
            target=attack_from_process,
            args=(port, setup["known"], setup["spread"], seconds, results, flood, ready, go),
        )
        attack_process.start()
        # The new process's start (a Python and this package's imports: about a second of
        # CPU) is not the attack: it fell into the phase's first second, on a two-core
        # machine, and its API p99 with it. The phase begins once the attackers are set.
        if not ready.wait(timeout=120):
            raise RuntimeError("the attackers' process did not start")
        phase.ends = time.monotonic() + seconds
        go.set()
    cpu_before = server_cpu_seconds(setup["pid"])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    tally.server_cpu = server_cpu_seconds(setup["pid"]) - cpu_before
    if attack_process is not None:
        tally.statuses.update(results.get(timeout=180))
        attack_process.join(timeout=60)
    return tally


def attack_from_process(
    port: int,
    known: list[str],
    spread: bool,
    seconds: float,
    results: Any,
    flood: bool,
    ready: Any,
    go: Any,
) -> None:
    tally, phase = Tally(), Phase(seconds, [MAX_REQUESTS])
    threads = [
        threading.Thread(
            target=attacker, args=(port, n, known, spread, phase, tally, flood), daemon=True
        )
        for n in range(ATTACKERS)
    ]
    ready.set()
    go.wait(timeout=120)
    phase.ends = time.monotonic() + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    results.put(dict(tally.statuses))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, tally: Tally, seconds: float) -> None:
    api = tally.api_ms
    print(f"\n== {name}")
    print(
        f"API intake: {len(api)} answered ({len(api) / seconds:.1f}/s), "
        f"p50 {statistics.median(api) if api else float('nan'):.0f} ms, "
        f"p99 {percentile(api, 0.99):.0f} ms"
    )
    if api:  # where in the phase the slow answers fall (a burst at the start: the hashes)
        start, windows = min(tally.api_when), 4
        width = seconds / windows
        parts = [
            [
                ms
                for ms, at in zip(api, tally.api_when, strict=True)
                if i * width <= at - start < (i + 1) * width
            ]
            for i in range(windows)
        ]
        print(
            f"API p99 by {width:.0f}-s window: "
            + ", ".join(f"{percentile(part, 0.99):.0f}" for part in parts)
            + " ms"
        )
    staff = tally.staff_ms
    print(
        f"staff (inbox, dispatch): {len(staff)} timed, p50 "
        f"{statistics.median(staff) if staff else float('nan'):.0f} ms, "
        f"p99 {percentile(staff, 0.99):.0f} ms"
    )
    print(f"server CPU: {tally.server_cpu:.1f} s in {seconds:.0f} s")
    for key, n in sorted(tally.statuses.items()):
        print(f"  {key:<28} {n}")


def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from engine.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL of a SCRATCH database (emptied)")
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of quiet work before measuring"
    )
    parser.add_argument(
        "--spread", action="store_true", help="each attacker from its own (forwarded) address"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="yidi-attack-"))
    database = args.database or f"sqlite:///{data_dir / 'yidi.db'}"
    if args.database:
        reset_postgres(args.database)
    port = free_port()
    proc, output = start(database, data_dir, port, args.spread)
    failed = False
    try:
        accounts = demo_accounts(output)
        password = os.environ.get("YIDI_DEMO_PASSWORD", "yidi-demo-2026")
        setup = {
            "key": api_key(database, data_dir),
            # Signed in before the attack, like staff at work in the morning: their sessions
            # must keep working (and from loopback the attackers share their address).
            "dispatcher": sign_in(port, pick(accounts, "调度员", "书院"), password),
            "handler": sign_in(port, pick(accounts, "司法所", "书院"), password),
            "known": [n for n in accounts if n.startswith("xiaogan")],
            "codes": [],
            "pid": proc.pid,
            "spread": args.spread,
        }
        budget = [MAX_REQUESTS]
        backend = "PostgreSQL" if args.database else "SQLite"
        print(f"backend {backend}, {args.seconds:.0f} s per phase, {ATTACKERS} attackers")
        print("attackers " + ("each from its own address" if args.spread else "from 127.0.0.1"))
        # Not measured: the first requests of a fresh process (templates, caches, the
        # database's pages) are slow, and they fell into the quiet phase's p99.
        run_phase(port, args.warmup, budget, setup, attack=False)
        quiet = run_phase(port, args.seconds, budget, setup, attack=False)
        attacked = run_phase(port, args.seconds, budget, setup, attack=True)
        flooded = run_phase(port, args.seconds, budget, setup, attack=True, flood=True)
        report("quiet", quiet, args.seconds)
        report("under attack", attacked, args.seconds)
        report("baseline: the same 40 clients only reading /login", flooded, args.seconds)
        errors = sum(
            t.count(lambda k: k.split()[-1].startswith("5") or k.endswith(" 0"))
            for t in (quiet, attacked, flooded)
        )
        bad_work = sum(
            t.count(
                lambda k: (
                    (k.startswith("api ") and not k.endswith(" 201"))
                    or (k.startswith("staff") and k.split()[-1] not in ("200", "303"))
                    or k.startswith("staff-no-dispatch-link")
                )
            )
            for t in (quiet, attacked, flooded)
        )
        ratio = percentile(attacked.api_ms, 0.99) / percentile(quiet.api_ms, 0.99)
        p50_ratio = statistics.median(attacked.api_ms) / statistics.median(quiet.api_ms)
        print(
            f"\n5xx or dropped: {errors} (must be 0); failed intakes or staff actions: "
            f"{bad_work} (must be 0)"
        )
        print(f"API p50 under attack / quiet: {p50_ratio:.2f}x; p99: {ratio:.2f}x (target <= 2x)")
        flood_p99 = percentile(flooded.api_ms, 0.99) / percentile(quiet.api_ms, 0.99)
        flood_p50 = statistics.median(flooded.api_ms) / statistics.median(quiet.api_ms)
        print(
            f"API p50 under the login-page flood / quiet: {flood_p50:.2f}x; p99: {flood_p99:.2f}x"
            " (what any 40 fast clients cost, login or not)"
        )
        failed = errors > 0 or bad_work > 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
