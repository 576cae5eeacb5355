"""yidi as a county deploys it: `yidi serve` and `yidi worker` as real processes on a free
port, started, stopped, killed (-9) and restarted by the tests, over one database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[2]
# A liveness bound, not a speed check: a fresh interpreter on a loaded two-core machine may
# take a while to import the whole server and migrate.
START_WITHIN = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Process:
    """One `yidi ...` command in its own process group (its uvicorn workers included), its
    output in files under `logs` (a pipe nobody reads would block a chatty server)."""

    env: dict[str, str]
    args: tuple[str, ...]
    logs: Path
    proc: subprocess.Popen[bytes] | None = None
    runs: int = 0

    def start(self) -> None:
        self.runs += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        name = f"{self.args[0]}-{self.runs}"
        with (
            open(self.logs / f"{name}.out", "wb") as out,
            open(self.logs / f"{name}.err", "wb") as err,
        ):
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "import server, sys; sys.exit(server.main())", *self.args],
                cwd=ROOT,
                env={**self.env, "PYTHONPATH": str(ROOT)},
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own group: kill -9 reaches uvicorn's workers too
            )

    def output(self) -> str:
        name = f"{self.args[0]}-{self.runs}"
        return "".join(
            (self.logs / f"{name}.{kind}").read_text("utf-8", "replace") for kind in ("out", "err")
        )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM to the group, as a service manager stops it; -9 if it does not go."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=60)
        self._kill_group()

    def kill(self) -> None:
        """kill -9, the whole group at once: no shutdown code runs anywhere."""
        if self.proc is None:
            return
        self._kill_group()

    def _kill_group(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)


@dataclass
class Server(Process):
    port: int = field(default_factory=free_port)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        self.wait_ready()

    def ready(self) -> int:
        """/readyz's status, 0 when nothing answers."""
        try:
            return httpx.get(f"{self.base}/readyz", timeout=5).status_code
        except httpx.HTTPError:
            return 0

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_WITHIN
        while self.ready() != 200:
            if not self.running():
                raise AssertionError(f"yidi serve exited:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"yidi serve not ready:\n{self.output()[-4000:]}")
            time.sleep(0.1)

    def restart(self) -> None:
        self.stop()
        self.start()


def serve_args(port: int, *extra: str) -> tuple[str, ...]:
    return ("serve", "--port", str(port), *extra)


def yidi_command(env: dict[str, str], *args: str) -> str:
    """A one-off `yidi ...` (user add, apikey add) as an operator runs it; its output."""
    done = subprocess.run(
        [sys.executable, "-c", "import server, sys; sys.exit(server.main())", *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=START_WITHIN,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
