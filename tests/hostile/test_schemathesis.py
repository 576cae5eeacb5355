"""Schemathesis against /openapi.json of a live server (issue 16): every operation, schema-valid
and schema-violating requests, with an API key, on the backend under test. Fails on any 5xx
and on any of Schemathesis's checks (response schema and status conformance, a schema-valid
body refused, a 405 without Allow, ...). Bounded: EXAMPLES per operation and mode."""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

import pytest
import schemathesis  # a test extra (`pip install -e .[test]`): missing, the test fails
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import Failure, FailureGroup
from sqlalchemy import Engine

from admin.accounts import create_api_key
from forms.formats import _ID_CHECK, _ID_WEIGHTS, PROVINCE_PREFIXES
from tests.web.counties import publish_xiaogan

EXAMPLES = int(os.environ.get("YIDI_SCHEMATHESIS_EXAMPLES", "60"))


def id_numbers() -> st.SearchStrategy[str]:
    """Valid resident ID numbers (region, birth date, check digit), as yidi's format checks."""

    def build(province: int, rest: int, born: date, serial: int) -> str:
        head = f"{province:02d}{rest:04d}{born:%Y%m%d}{serial:03d}"
        total = sum(int(d) * w for d, w in zip(head, _ID_WEIGHTS, strict=False))
        return head + _ID_CHECK[total % 11]

    return st.builds(
        build,
        st.sampled_from(sorted(PROVINCE_PREFIXES)),
        st.integers(0, 9999),
        st.dates(date(1900, 1, 1), date(2020, 12, 31)),
        st.integers(0, 999),
    )


# yidi's own string formats, so that schema-valid bodies are really valid (else ST202).
schemathesis.openapi.format("cn-mobile", st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
schemathesis.openapi.format("cn-id-number", id_numbers())
schemathesis.openapi.format(
    "cn-division-code",
    st.builds(
        lambda p, r: f"{p:02d}{r:04d}",
        st.sampled_from(sorted(PROVINCE_PREFIXES)),
        st.integers(0, 9999),
    ),
)


def fuzz(operation: Any, mode: Any, base: str, auth: dict[str, str]) -> dict[str, Any]:
    """Run one operation's generated cases in one mode: how many, how many 5xx, failures."""
    seen: dict[str, Any] = {"cases": 0, "5xx": 0, "failures": []}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure is reproducible
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def call(case: Any) -> None:
        seen["cases"] += 1
        if "Idempotency-Key" in (case.headers or {}):
            # A key reused with another body is a 422 by contract (tests/web/test_web_api.py):
            # each generated body gets its own key.
            case.headers["Idempotency-Key"] = f"schemathesis-{uuid.uuid4()}"
        response = case.call(base_url=base, headers=auth)
        seen["5xx"] += response.status_code >= 500
        try:
            case.validate_response(response, headers=auth)
        except (AssertionError, Failure, FailureGroup) as failure:  # Schemathesis's checks
            seen["failures"].append(f"{operation.label} ({mode.value}): {failure}")

    call()
    return seen


@pytest.mark.slow
def test_schemathesis_finds_no_5xx_and_no_contract_violation(
    db: Engine, app: Any, live_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_xiaogan(db)
    # Both uses (admin/key_scopes.py), so the court record's validation is fuzzed, not its 403.
    key = create_api_key(db, "12345热线", "xiaogan", uses=("intake", "court"))
    auth = {"Authorization": f"Bearer {key}"}
    base = live_server(app)
    api = schemathesis.openapi.from_url(f"{base}/openapi.json", headers=auth)
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    runs = [fuzz(r.ok(), mode, base, auth) for r in api.get_all_operations() for mode in modes]
    tried = sum(run["cases"] for run in runs)
    server_errors = sum(run["5xx"] for run in runs)
    failures = [failure for run in runs for failure in run["failures"]]
    with capsys.disabled():
        print(f"\nSchemathesis: {tried} cases, {server_errors} with 5xx, {len(failures)} failed")
    # POST /api/v1/cases, GET /api/v1/cases/{code}, POST /api/v1/cases/{code}/court (the court
    # link) and GET /api/v1/changes, two modes each
    assert len(runs) == 8
    assert server_errors == 0
    assert not failures, "\n\n".join(failures[:5])
