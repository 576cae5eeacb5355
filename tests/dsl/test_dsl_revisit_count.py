"""`回访 30 件 每 月`: a fixed number of revisits per period, beside the share (`回访 30%`)."""

from __future__ import annotations

import pytest
from dsl_samples import county_files, problems
from test_dsl_constructs import DIVERT_FORM, EXTRA

import dsl
from dsl.hashing import canonical
from dsl.model import County, Revisit

SHARE = "回访 0.2 每 周 不通过 -> 调解"


def compiled(rule: str) -> County:
    result = dsl.compile_files(
        "full", county_files(EXTRA.replace(SHARE, rule), forms__分流_dot_json=DIVERT_FORM)
    )
    assert result.diagnostics == [] and result.county is not None
    return result.county


def revisit(rule: str) -> Revisit:
    found = compiled(rule).processes["全量"].steps["核查"].revisit
    assert found is not None
    return found


@pytest.mark.parametrize(
    "rule",
    [
        "回访 30 件 每 月 不通过 -> 调解",
        "回访 30件 每 月 不通过 -> 调解",
        "回访 30 名 每 月 不通过 -> 调解",
        "revisit 30 cases per month fail -> 调解",
    ],
)
def test_a_fixed_number_per_period(rule: str) -> None:
    found = revisit(rule)
    assert found == Revisit(0.0, "month", "调解", count=30)
    assert found.sampled and found.amount() == "30 件"


def test_the_period_defaults_to_a_month_and_a_share_stays_a_share() -> None:
    assert revisit("回访 5 件") == Revisit(0.0, "month", "", count=5)
    share = revisit(SHARE)
    assert share == Revisit(0.2, "week", "调解") and share.count is None
    assert share.sampled and share.amount() == "20%"
    assert not revisit("回访 100% 每 月").sampled  # every case: a step of the chain


@pytest.mark.parametrize("count", ["0", "2.5"])
def test_the_number_must_be_a_whole_number_of_at_least_one(count: str) -> None:
    found = problems(
        county_files(
            EXTRA.replace(SHARE, f"回访 {count} 件 每 月"), forms__分流_dot_json=DIVERT_FORM
        )
    )
    assert [p[4] for p in found] == [
        f"回访件数「{count}」无效：须为不小于 1 的整数，如：回访 30 件 每 月"
    ]


def test_versions_published_before_the_count_keep_their_hash() -> None:
    """The count is left out of the canonical form while unset, so a stored version whose
    definition has a share recompiles to the hash it was published with."""
    assert canonical(Revisit(0.3)) == {
        "__": "Revisit", "share": 0.3, "period": "month", "on_fail": ""
    }  # fmt: skip
    assert canonical(Revisit(0.0, count=30))["count"] == 30
    share, count = compiled(SHARE), compiled("回访 3 件 每 周 不通过 -> 调解")
    assert share.content_hash != count.content_hash
