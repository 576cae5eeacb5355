"""The official JSON Schema Test Suite (draft 2020-12), every required case, through the path a
submission takes (load_form + Form.validate), each case's schema a property of an object form.
See tests/forms/jsonschema_suite.py for the wrapping and the two deliberate differences
(references to other documents refused; formats asserted, unknown formats refused).

    .venv/bin/pytest -q tests/forms/test_json_schema_suite.py
"""

from __future__ import annotations

import json

import pytest

import forms
from forms.formats import KNOWN_FORMATS
from tests.forms.jsonschema_suite import (
    ACCEPTED_FORMATS,
    CJK,
    SuiteTest,
    form_schema,
    load,
    run,
    suite_root,
)

REQUIRED = load()
FORMAT_CASES = tuple(t for t in load("optional/format") if t.keyword in ACCEPTED_FORMATS)


def test_the_suite_is_all_there() -> None:
    assert len(REQUIRED) == 1299
    assert {t.keyword for t in REQUIRED} >= {"ref", "dynamicRef", "anchor", "unevaluatedItems"}


def test_accepted_formats_are_what_forms_check() -> None:
    assert KNOWN_FORMATS == ACCEPTED_FORMATS


@pytest.mark.parametrize("test", REQUIRED, ids=lambda t: t.id)
def test_required_case(test: SuiteTest) -> None:
    outcome = run(test)
    assert outcome.kind != "fail", f"{test.description}: {outcome.detail}"
    if outcome.kind == "remote":
        # A schema from another document: what forms/ does is refuse the form with
        # 「只支持本文件内的 $ref」 (`run` checked it), and that is the case's result.
        assert outcome.detail, "a remote case names the document it needs"
        return


@pytest.mark.parametrize("test", FORMAT_CASES, ids=lambda t: t.id)
def test_optional_format_case(test: SuiteTest) -> None:
    form = forms.load_form(form_schema(test), name=f"suite-format-{test.keyword}-{test.case}")
    errors = form.validate({"value": test.data})
    assert (not errors) == test.valid, f"{test.description}: {test.data!r} -> {errors}"
    assert all(CJK.search(e.message) for e in errors)


def test_only_remote_cases_are_skipped() -> None:
    """The cases answered by refusal are those that reference another document, and only
    those."""
    remote = [t for t in REQUIRED if run(t).kind == "remote"]
    assert {t.keyword for t in remote} <= {"refRemote", "ref", "defs", "dynamicRef", "vocabulary"}
    assert all(
        "localhost:1234" in json.dumps(t.schema) or "json-schema.org" in json.dumps(t.schema)
        for t in remote
    )
    assert [t for t in REQUIRED if t.keyword == "refRemote"] == [
        t for t in remote if t.keyword == "refRemote"
    ]
    assert suite_root().is_dir()


REGEX_CASES = tuple(
    t for t in load("optional") if t.keyword in ("ecmascript-regex", "non-bmp-regex")
)
DEPENDENCIES_CASES = tuple(t for t in load("optional") if t.keyword == "dependencies-compatibility")


@pytest.mark.parametrize("test", REGEX_CASES, ids=lambda t: t.id)
def test_optional_ecma_262_regex_case(test: SuiteTest) -> None:
    """Patterns mean what ECMA-262 says (forms/patterns.py)."""
    assert run(test).kind == "pass", f"{test.description}: {run(test).detail}"


@pytest.mark.parametrize("test", DEPENDENCIES_CASES, ids=lambda t: t.id)
def test_optional_dependencies_case_is_refused_with_what_to_write(test: SuiteTest) -> None:
    """Draft-07 `dependencies` would be ignored by 2020-12: refused, never silently dropped."""
    with pytest.raises(forms.FormDefinitionError, match=r"dependentRequired.*dependentSchemas"):
        forms.load_form(form_schema(test), name=f"suite-dependencies-{test.case}")
