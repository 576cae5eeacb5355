"""A throwaway PostgreSQL cluster of the test's own (initdb as user postgres, its own port and
folder, removed afterwards), so that a test may stop and start the database under a running
server without touching the shared development cluster."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.system.deployment import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(command: str, timeout: float = 120) -> str:
    done = subprocess.run(
        ["su", "postgres", "-s", "/bin/bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/yidi"

    def _ctl(self, action: str, *options: str) -> None:
        folder = shlex.quote(str(self.folder / "data"))
        extra = " ".join(shlex.quote(o) for o in options)
        as_postgres(f"{BIN}/pg_ctl -D {folder} -w {extra} {action}")

    def start(self) -> None:
        settings = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("start", "-o", settings, "-l", str(self.folder / "server.log"))

    def stop(self) -> None:
        """Fast shutdown: every open connection is cut, as when the database restarts."""
        self._ctl("stop", "-m", "fast")

    def remove(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def create() -> Cluster:
    """initdb a new cluster in a temporary folder and start it with an empty `yidi` database."""
    folder = Path(tempfile.mkdtemp(prefix="yidi-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    try:
        data = shlex.quote(str(folder / "data"))
        as_postgres(
            f"{BIN}/initdb -D {data} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8"
        )
        cluster.start()
        as_postgres(f"{BIN}/createdb -h 127.0.0.1 -p {cluster.port} -U postgres yidi")
    except BaseException:
        cluster.remove()
        raise
    return cluster
