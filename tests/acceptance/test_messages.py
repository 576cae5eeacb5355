"""Failures speak the domain, in the feature's language; refusals must be checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine

from features.conftest import _unchecked
from features.steps import acting, checks, intake, setup, time_travel
from features.steps.world import REPO, ScenarioFailure, World, detect_language

DEMO = REPO / "definitions" / "demo-xiaozhen"
CASE = [
    ["事项类型", "邻里纠纷"],
    ["等级", "一般"],
    ["地点", "东村"],
    ["纠纷发生地.镇", "东镇"],
    ["纠纷发生地.村", "东村"],
    ["当事人", "张三，13800001111"],
    ["纠纷概要", "邻居装修噪音扰民，协商未果"],
]


def make_world(db: DbEngine, lang: str) -> World:
    world = World(db=db, feature_path=DEMO / "features" / "x.feature", lang=lang)
    setup.set_clock(world, "2026-09-30 10:00")
    setup.load_this_county(world)
    intake.register_at_window(world, "东镇", "综合窗口", CASE)
    return world


def test_where_the_case_is_in_chinese(db: DbEngine) -> None:
    world = make_world(db, "zh")
    with pytest.raises(ScenarioFailure) as failure:
        checks.case_is_at(world, "调解", "司法所（东镇）")
    assert (
        str(failure.value) == "期望案件在「调解」由 司法所（东镇） 办理，实际「派单」由 东镇 办理"
    )


def test_where_the_case_is_in_english(db: DbEngine) -> None:
    world = make_world(db, "en")
    acting.take_action(world, "调度员", "东镇", "派发")
    with pytest.raises(ScenarioFailure) as failure:
        checks.case_is_at(world, "派单", "东镇")
    assert str(failure.value) == "expected the case at 派单 in 东镇, it is at 调解 in 司法所 (东镇)"


def test_time_travel_fires_timers_and_due_times_are_checked(db: DbEngine) -> None:
    world = make_world(db, "zh")
    acting.take_action(world, "调度员", "东镇", "派发")
    checks.ticket_due(world, "2026-10-10 10:00")
    with pytest.raises(ScenarioFailure, match="实际为 「调解」2026-10-10 10:00"):
        checks.ticket_due(world, "2026-10-09 10:00")
    time_travel.time_moves_to(world, "2026-10-10 10:01")
    checks.case_colour(world, "红")
    with pytest.raises(ScenarioFailure, match="时间只能向前"):
        time_travel.time_moves_to(world, "2026-10-01 10:00")


def test_an_unchecked_refusal_fails_with_the_engine_message(db: DbEngine) -> None:
    world = make_world(db, "zh")
    acting.take_action(world, "调度员", "东镇", "派发")
    acting.take_action(world, "调解员", "司法所（东镇）", "退回")
    with pytest.raises(ScenarioFailure, match="「退回」被拒绝：「退回」必须填写理由"):
        _unchecked(world)
    assert world.refusal is None


def test_a_refusal_check_needs_a_refusal_and_the_right_message(db: DbEngine) -> None:
    world = make_world(db, "zh")
    with pytest.raises(ScenarioFailure, match="期望上一步被拒绝，但它成功了"):
        checks.refused(world, "必须填写理由")
    acting.take_action(world, "调度员", "东镇", "派发")
    acting.take_action(world, "调解员", "司法所（东镇）", "退回")
    with pytest.raises(ScenarioFailure, match="实际提示"):
        checks.refused(world, "无权办理")


def test_unknown_names_list_the_choices(db: DbEngine) -> None:
    world = make_world(db, "zh")
    with pytest.raises(
        ScenarioFailure, match="没有中心「南镇」（可选：小镇县中心、东镇、西镇、东村）"
    ):
        acting.take_action(world, "调度员", "南镇", "派发")
    with pytest.raises(ScenarioFailure, match="既不是案件字段也不是受理表单「受理」的字段"):
        intake.register_at_window(world, "东镇", "综合窗口", [*CASE, ["身高", "180"]])


def test_language_comes_from_the_feature_file(tmp_path: Path) -> None:
    assert detect_language("# language: zh-CN\n功能: x") == "zh"
    assert detect_language("Feature: x") == "en"
    assert detect_language("# language: en\nFeature: x") == "en"
