"""Every input surface, read from the Starlette app's route table (so a new route is covered
without anyone listing it here): its method, path template, path parameters and who may use
it. Only the values that make a path parameter *valid* are named here, by parameter name; a
route with a parameter nobody named fails the corpus test until one is added."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-zA-Z_]+)?}")

# Query parameter names the pages read (a page ignores the ones it does not know).
QUERY_NAMES = (
    "q", "page", "per", "tab", "after", "step", "category", "severity", "level", "channel",
    "period", "day", "last", "dim", "metric", "part", "value", "path", "name", "sample",
    "saved", "year", "calendar", "to", "did", "new", "next",
)  # fmt: skip
# Form field names the pages post (besides those read from the page's own form).
FIELD_NAMES = (
    "username", "password", "next", "code", "phone", "score", "reason", "approver", "amount",
    "unit", "_reason", "note", "_op", "_visits", "_window", "_channel", "channel", "category",
    "severity", "location/town", "location/village", "parties/0/name", "parties/0/phone",
    "parties/0/id_number", "summary", "evidence/sha256", "evidence/size", "evidence/filename",
    "office", "instruction", "path", "text", "do", "remove", "to", "display_name", "role",
    "center", "new_center", "new_role", "new_office", "new_window", "file", "score",
)  # fmt: skip


@dataclass(frozen=True)
class Surface:
    method: str
    path: str  # the template, /tickets/{ticket:id}/act/{action}
    params: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def role(self) -> str:
        """Who sends it: the role whose pages these are (the API sends its key)."""
        if self.path.startswith("/api/"):
            return "api"
        if self.path.startswith("/console"):
            return "admin"
        if self.path.startswith("/intake"):
            return "clerk"
        public = (
            "/login",
            "/logout",
            "/online",
            "/progress",
            "/evaluate",
            "/healthz",
            "/readyz",
            "/start",
            "/favicon.ico",
        )
        if self.path in ("/", "/openapi.json") or self.path.startswith(public):
            return "anonymous"
        if self.path.startswith("/forms/"):
            return "anonymous"
        return "dispatcher"


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[Surface]:
    found: list[Surface] = []
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue  # files on disk, probed separately below
            found += _walk(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            path = prefix + route.path
            params = tuple(PARAM.findall(path))
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append(Surface(method, path, params))
    return found


def surfaces(app: Starlette) -> list[Surface]:
    unique = {s.id: s for s in _walk(list(app.routes))}
    return sorted(unique.values(), key=lambda s: s.id)


def fill(path: str, values: dict[str, str]) -> str:
    """The template with each parameter replaced (values already URL-encoded)."""
    return PARAM.sub(lambda m: values[m.group(1)], path)
