# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Checking the monthly per-case reward ledger (计件奖励, engine/reports/rewards.py)."""

from __future__ import annotations

from engine import versions
from engine.reports import rewards
from engine.reports.cohorts import Context
from engine.reports.scope import Scope
from features.steps.figures import parse_period
from features.steps.phrases import phrase
from features.steps.world import World


@phrase(
    "统计",
    '"{期间}" 的计件奖励为：',
    'the rewards for "{period}" are:',
    doc="全县区在该月按调解员汇总的计件奖励（按县区声明的 计件奖励 标准，每个结果类别每件多少元）；调解员写作 单位（中心）角色，如 人民调解委员会（五马社区）调解员。",
    example_zh='那么 "2026-11" 的计件奖励为：',
    example_en='Then the rewards for "2026-11" are:',
    table="三列：调解员 | 计件数 | 金额；表中没有列出的调解员本月不应有计件。",
)
def reward_ledger(world: World, period: str, datatable: list[list[str]]) -> None:
    county = world.need_county()
    chosen = parse_period(world, period)
    scope = Scope(county, frozenset(county.centers))
    context = Context(versions.county_id(world.db, county.key), chosen, scope)
    with world.db.connect() as conn:
        found = rewards.ledger(conn, context)
    actual = {row["payee"]: (str(row["count"]), str(row["amount"])) for row in found.summary}
    expected = {
        row[0].strip(): (row[1].strip(), row[2].strip())
        for row in datatable
        if row[0].strip() not in ("调解员", "mediator")
    }
    if actual != expected:
        shown = "；".join(f"{k} {c} 件 {a} 元" for k, (c, a) in sorted(actual.items())) or "无"
        raise world.fail(
            f"{chosen.label} 的计件奖励不符：实际为 {shown}",
            f"rewards for {chosen.label} differ: got {shown}",
        )
