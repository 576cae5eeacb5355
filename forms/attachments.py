"""Attachments (a signed mediation agreement, photos): a content-addressed store outside the
web root, and the attachment reference a form stores in its JSON.

The type of a file is read from its first bytes, never taken from the browser, so that a
script renamed to .pdf is not accepted as a PDF.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from hashlib import sha256
from pathlib import Path
from typing import IO, Any

DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")
_OOXML = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Attachment:
    sha256: str
    size: int
    filename: str
    content_type: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def sniff(content: bytes, filename: str) -> str:
    """The content type the bytes really are (a small, safe list), else octet-stream."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    suffix = Path(filename).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return _OOXML.get(suffix, "application/zip")
    if suffix == ".txt":
        try:
            # Incremental: a head cut in the middle of a character is still text.
            codecs.getincrementaldecoder("utf-8")().decode(content, final=False)
            return "text/plain"
        except UnicodeDecodeError:
            pass
    return "application/octet-stream"


def safe_filename(filename: str) -> str:
    """The last path component, without control characters, at most 120 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[-120:] or "附件"


def is_sha256(text: str) -> bool:
    return bool(_HEX64.fullmatch(text))


class AttachmentStore:
    """Files by SHA-256 under root (keep root outside any static folder)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        if not is_sha256(digest):
            raise KeyError(digest)
        return self.root / digest[:2] / digest

    def put(self, content: bytes, filename: str, content_type: str = "") -> Attachment:
        """Store bytes (idempotent). content_type from the browser is ignored on purpose."""
        digest = sha256(content).hexdigest()
        target = self._path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a file.
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temp, target)
        name = safe_filename(filename)
        return Attachment(digest, len(content), name, sniff(content, name))

    def has(self, digest: str) -> bool:
        return is_sha256(digest) and self._path(digest).is_file()

    def info(self, digest: str, filename: str = "") -> Attachment:
        path = self._path(digest)
        with path.open("rb") as stream:
            head = stream.read(4096)
        name = safe_filename(filename)
        return Attachment(digest, path.stat().st_size, name, sniff(head, name))

    def sweep(self, keep: Iterable[str], older_than: float = 86400.0) -> int:
        """Delete files no stored form refers to (uploads of forms that were never saved),
        once older than `older_than` seconds so that a form being filled keeps its file."""
        referenced = set(keep)
        cutoff = time.time() - older_than
        removed = 0
        for path in self.root.glob("??/*"):
            orphan = path.name not in referenced and is_sha256(path.name)
            if orphan and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def open(self, digest: str) -> IO[bytes]:
        """Raises KeyError for an unknown or malformed digest."""
        path = self._path(digest)
        if not path.is_file():
            raise KeyError(digest)
        return path.open("rb")
