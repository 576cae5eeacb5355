"""Attachments (a signed mediation agreement, photos): a content-addressed store outside the
web root, and the attachment reference a form stores in its JSON.

The type of a file is read from its first bytes, never taken from the browser, so that a
script renamed to .pdf is not accepted as a PDF.
"""

from __future__ import annotations

import codecs
import hmac
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
INCOMING = ".incoming"  # staged uploads, moved into place when their record is saved
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
    """Files by SHA-256 under root (keep root outside any static folder).

    One store per county (the web app gives each county its own root), so a file can only ever
    be served to the county it was uploaded to. A new upload is first *staged* under
    `.incoming/`, named by its digest and a key of the session that uploaded it, and moved into
    place only when the record that references it is saved (`promote`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def incoming(self) -> Path:
        return self.root / INCOMING

    def _path(self, digest: str) -> Path:
        if not is_sha256(digest):
            raise KeyError(digest)
        return self.root / digest[:2] / digest

    def _write(self, target: Path, content: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, target)

    def put(self, content: bytes, filename: str, content_type: str = "") -> Attachment:
        """Store bytes in place at once (idempotent). content_type from the browser is ignored
        on purpose. Web submissions go through `Uploads` instead (staged, then promoted)."""
        digest = sha256(content).hexdigest()
        target = self._path(digest)
        if not target.exists():
            self._write(target, content)
        name = safe_filename(filename)
        return Attachment(digest, len(content), name, sniff(content, name))

    def stage(self, content: bytes, digest: str, owner_key: str) -> None:
        self._write(self.incoming / f"{digest}.{owner_key}", content)

    def staged(self, digest: str, owner_key: str) -> Path | None:
        path = self.incoming / f"{digest}.{owner_key}"
        return path if is_sha256(digest) and path.is_file() else None

    def promote(self, staged: Path) -> None:
        """Move a staged upload into place; its time is now, so a sweep that read the
        references a moment ago does not take it for an old orphan."""
        target = self._path(staged.name.partition(".")[0])
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            staged.unlink(missing_ok=True)
        else:
            os.replace(staged, target)
        os.utime(target)

    def has(self, digest: str) -> bool:
        return is_sha256(digest) and self._path(digest).is_file()

    def info(self, digest: str, filename: str = "") -> Attachment:
        return describe(self._path(digest), digest, filename)

    def sweep(self, keep: Iterable[str], older_than: float = 86400.0) -> int:
        """Delete files no stored record refers to (uploads of forms that were never saved,
        rejected or abandoned), once older than `older_than` seconds so that a form being
        filled keeps its file. A staged upload that a saved record does refer to (the process
        stopped between the save and the move) is moved into place instead."""
        referenced = set(keep)
        cutoff = time.time() - older_than
        removed = 0
        for path in self.incoming.glob("*"):
            digest = path.name.partition(".")[0]
            if digest in referenced and is_sha256(digest):
                self.promote(path)
            elif path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.root.glob("??/*"):
            orphan = path.name not in referenced and is_sha256(path.name)
            if (orphan or path.name.startswith(".upload-")) and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def open(self, digest: str) -> IO[bytes]:
        """Raises KeyError for an unknown or malformed digest."""
        path = self._path(digest)
        if not path.is_file():
            raise KeyError(digest)
        return path.open("rb")


def describe(path: Path, digest: str, filename: str) -> Attachment:
    """The reference of a stored file, read from the file itself (the browser is not believed)."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    name = safe_filename(filename)
    return Attachment(digest, path.stat().st_size, name, sniff(head, name))


def accepted(content_type: str, accept: Iterable[str]) -> bool:
    """Is a sniffed type one of the field's accepted types ("image/*" takes any image)?"""
    return any(
        content_type == a or (a.endswith("/*") and content_type.startswith(a[:-1])) for a in accept
    )


class Uploads:
    """The files of one web submission, bound to a county's store and to the session that
    sends them (`owner`: a secret of that session, such as its CSRF token).

    An uploaded file is checked (not empty, within the size limit, of an accepted type read
    from its bytes) before anything is written; a good one is staged. A reference sent back by
    a re-rendered form (hidden fields) is taken only when this same session staged that file,
    or when the record being edited already holds it: a digest alone, from another county or
    another person, is never enough. `commit(data)` moves the files the saved data refers to
    into place; call it once the record is saved."""

    def __init__(self, store: AttachmentStore, owner: str) -> None:
        self.store = store
        self.owner = owner

    def _key(self, digest: str) -> str:
        return hmac.new(self.owner.encode(), digest.encode(), sha256).hexdigest()[:32]

    def receive(
        self, content: bytes, filename: str, accept: Iterable[str], limit: int
    ) -> dict[str, Any]:
        """content: at most limit + 1 bytes of the upload. A refused file gets a reference
        without digest, so that validation reports why (size or type) and nothing is written."""
        name = safe_filename(filename)
        kind = sniff(content[:4096], name) if content else ""
        if not content or len(content) > limit or not accepted(kind, accept):
            return {"sha256": "", "filename": name, "size": len(content), "content_type": kind}
        digest = sha256(content).hexdigest()
        if not self.store.staged(digest, self._key(digest)):
            self.store.stage(content, digest, self._key(digest))
        return Attachment(digest, len(content), name, kind).as_json()

    def kept(self, digest: str, filename: str, previous: Any) -> dict[str, Any] | None:
        if isinstance(previous, dict) and previous.get("sha256") == digest:
            return previous  # the record's own file, as it was saved
        staged = self.store.staged(digest, self._key(digest))
        return describe(staged, digest, filename).as_json() if staged else None

    def commit(self, data: Any) -> int:
        """Move this session's staged files that `data` refers to into place; how many."""
        moved = 0
        for digest in references(data):
            staged = self.store.staged(digest, self._key(digest))
            if staged is not None:
                self.store.promote(staged)
                moved += 1
        return moved


def references(value: Any) -> set[str]:
    """Every attachment digest in a record's data (any depth)."""
    found: set[str] = set()
    if isinstance(value, dict):
        digest = value.get("sha256")
        if isinstance(digest, str) and is_sha256(digest):
            found.add(digest)
        items: Iterable[Any] = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return found
    for item in items:
        found |= references(item)
    return found
