"""What the small test counties of tests/web (构造县, 规则县, 惰性县, 计时县) share: a form
file from a title and its fields, and publishing the county with one account per post."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

import dsl
from admin.accounts import MembershipSpec, create_user
from engine import versions

PASSWORD = "Yidi-test-2026"
TEXT = {"type": "string", "minLength": 2}

# username -> (center, role, office, window)
Staff = Mapping[str, tuple[str, str, str, str | None]]


def form(title: str, properties: dict[str, Any], required: list[str]) -> str:
    schema = {"type": "object", "title": title, "properties": properties, "required": required}
    return json.dumps(schema, ensure_ascii=False)


def compiled(key: str, files: Mapping[str, str]) -> Any:
    result = dsl.compile_files(key, dict(files))
    assert result.county is not None, result.diagnostics
    return result.county


def publish(db: Engine, key: str, files: Mapping[str, str], staff: Staff) -> Any:
    """Publish the county and create its staff (password PASSWORD); the compiled county."""
    county = compiled(key, files)
    versions.publish(db, county, by="test")
    for username, (center, role, office, window) in staff.items():
        create_user(
            db,
            username,
            PASSWORD,
            display_name=username,
            county=key,
            memberships=[MembershipSpec(center, role, office, window)],
        )
    return county
