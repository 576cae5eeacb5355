"""The xiaogan seed county compiled once per session, and a valid intake for it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

import dsl
from engine import versions

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@cache
def xiaogan() -> Any:
    return dsl.compile_county(DEFINITIONS / "xiaogan")


def publish_xiaogan(db: Engine) -> Any:
    model = xiaogan()
    versions.publish(db, model, by="test")
    return model


def intake_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "12345",
        "category": "邻里纠纷",
        "severity": "一般",
        "location": {"town": "书院街道", "village": "书院社区"},
        "parties": [{"name": "王小明", "role": "申请人", "phone": "13812345678"}],
        "summary": "邻居装修噪音扰民，多次协商未果，请求调解。",
    }
    data.update(changes)
    return data
