"""Fixtures of the forms tests: the demo intake form, an attachment store, and a table that
stands in for wherever the web app stores submitted form data (JSON on both backends)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table, insert, select

import forms

SCHEMAS = Path(__file__).parent / "schemas"

metadata = MetaData()
submissions = Table(
    "test_forms_submission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_key", String(64), nullable=False),
    Column("data", JSON, nullable=False),
)


@pytest.fixture
def intake() -> forms.Form:
    return forms.load_form(SCHEMAS / "intake.json", name="intake")


@pytest.fixture
def store(tmp_path: Path) -> forms.AttachmentStore:
    return forms.AttachmentStore(tmp_path / "attachments")


@pytest.fixture
def saved(db: Engine) -> Iterator[Callable[[forms.Form, dict[str, Any]], dict[str, Any]]]:
    """Store form data in the database and read it back, as the case page will."""
    metadata.create_all(db)

    def save_and_load(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
        with db.begin() as connection:
            row_id = connection.execute(
                insert(submissions).values(form_key=form.key, data=data)
            ).inserted_primary_key[0]
        with db.connect() as connection:
            loaded: dict[str, Any] = connection.execute(
                select(submissions.c.data).where(submissions.c.id == row_id)
            ).scalar_one()
        return loaded

    yield save_and_load
    metadata.drop_all(db)
