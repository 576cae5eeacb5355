"""Instance settings, read once from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE = "secret_key"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    host: str
    port: int
    log_level: str
    # Where citizens reach this server (https://tiaojie.example.gov.cn): receipts' QR codes open
    # the progress page there. Unset: the address the request came in on.
    public_url: str = ""


def _secret_key(data_dir: Path) -> str:
    """The configured key, else one generated on first run and kept owner-only in the data dir."""
    configured = os.environ.get("YIDI_SECRET_KEY")
    if configured:
        return configured
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("YIDI_DATA_DIR", "./data")).resolve()
    default_db = f"sqlite:///{data_dir / 'yidi.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("YIDI_DATABASE_URL", default_db),
        secret_key=_secret_key(data_dir),
        host=os.environ.get("YIDI_HOST", "127.0.0.1"),
        port=int(os.environ.get("YIDI_PORT", "8000")),
        log_level=os.environ.get("YIDI_LOG_LEVEL", "info").lower(),
        public_url=os.environ.get("YIDI_PUBLIC_URL", "").rstrip("/"),
    )
