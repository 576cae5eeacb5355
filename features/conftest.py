"""Exposes the step library to pytest-bdd and gives each scenario a fresh world on the backend
under test (the root `db` fixture: SQLite, or PostgreSQL with YIDI_TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.exceptions import StepDefinitionNotFoundError
from sqlalchemy import Engine as DbEngine

from features.steps import MODULES
from features.steps.nearest import missing_step_message
from features.steps.world import ScenarioFailure, World, detect_language

# pytest-bdd registers each step as a fixture in the module that defines it; fixtures are
# found through conftest modules, so the step fixtures are copied here.
for _module in MODULES:
    globals().update({k: v for k, v in vars(_module).items() if k.startswith("pytestbdd_")})


@pytest.fixture
def world(db: DbEngine, request: pytest.FixtureRequest) -> Iterator[World]:
    path = Path(getattr(request.node, "_yidi_feature", "") or ".")
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    scene = World(db=db, feature_path=path, lang=detect_language(text))
    yield scene


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    request.node._yidi_feature = feature.filename


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, step_func: Any
) -> None:
    """A refusal nobody checked fails the scenario at the next step that is not a check."""
    if step_func.__module__.endswith("checks"):
        return
    scene: World = request.getfixturevalue("world")
    _unchecked(scene)


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    _unchecked(request.getfixturevalue("world"))


def pytest_bdd_step_error(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, **_: Any
) -> None:
    request.node._yidi_step = (
        f"{feature.rel_filename}:{step.line_number}: {step.keyword} {step.name}"
    )


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, **_: Any
) -> None:
    text = Path(feature.filename).read_text(encoding="utf-8")
    request.node._yidi_missing = missing_step_message(
        feature.rel_filename, step.line_number, step.keyword, step.name, detect_language(text)
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed expectation is reported as the step and the domain message, not a traceback;
    a step the library does not know, as its place and the nearest known wordings."""
    report = yield
    missing = getattr(item, "_yidi_missing", "")
    excinfo = call.excinfo
    if report.failed and missing and excinfo and excinfo.errisinstance(StepDefinitionNotFoundError):
        report.longrepr = missing
        return report
    if report.failed and call.excinfo is not None and call.excinfo.errisinstance(ScenarioFailure):
        where = getattr(item, "_yidi_step", "") or "场景结束时 / at the end of the scenario"
        report.longrepr = f"{where}\n  {call.excinfo.value}"
    return report


def _unchecked(scene: World) -> None:
    if scene.refusal is not None:
        refusal, scene.refusal = scene.refusal, None
        raise scene.fail(
            f"「{scene.refused_step}」被拒绝：{refusal}",
            f"{scene.refused_step!r} was refused: {refusal}",
        )
