"""The nine seed counties: each passes the checks and models what its README says."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
from dsl.model import County, Duration
from dsl.routing import route

ROOT = Path(__file__).resolve().parents[2] / "definitions"
SEEDS = (
    "putuo", "xiaogan", "yunmeng", "rugao", "jining", "lucheng", "jiangan", "shishou", "echeng"
)  # fmt: skip


@pytest.fixture(scope="module")
def counties() -> dict[str, County]:
    return {key: dsl.compile_county(ROOT / key) for key in SEEDS}


@pytest.mark.parametrize("key", SEEDS)
def test_seed_has_no_diagnostics_and_a_chinese_readme(key: str) -> None:
    result = dsl.compile_files(key, dsl.load_files(ROOT / key))
    assert result.diagnostics == []
    assert result.county is not None
    readme = (ROOT / key / "README.md").read_text(encoding="utf-8")
    assert result.county.name in readme


def test_putuo_islands_and_professional_disputes(counties: dict[str, County]) -> None:
    putuo = counties["putuo"]
    assert len(putuo.levels) == 3
    island = route(putuo, "邻里纠纷", "一般", "庙子湖村")
    main = route(putuo, "邻里纠纷", "一般", "鲁家峙社区")
    assert island is not None and main is not None
    assert (island.response, island.response_mode) == (Duration(30, "minute"), "线上调解")
    assert (main.response, main.response_mode) == (Duration(30, "minute"), "到场")
    medical = route(putuo, "医疗纠纷", "一般", "鲁家峙社区")
    assert medical is not None and (medical.level, medical.office) == ("区", "专业调委会")
    assert putuo.fallback is not None and putuo.windows[putuo.fallback.window].universal
    meeting = putuo.processes["联合会商"].steps["会商"]
    assert meeting.kind == "consultation"
    assert [(p.role, p.office or p.where) for p in meeting.participants] == [
        ("法官", "法院诉讼服务中心"),
        ("首席调解员", "专业调委会"),
        ("援助律师", "法律援助中心"),
        ("承办人", "routed_office"),
    ]
    petition = putuo.processes["信访分流"].steps["研判"].actions
    assert [(a.target, a.condition) for a in petition] == [
        ("调解", dsl.model.Comparison("form.可以调解", "==", True)),
        ("信访办理", dsl.model.Comparison("form.可以调解", "==", False)),
    ]


def test_yunmeng_four_tickets_first_asked_and_return(counties: dict[str, County]) -> None:
    yunmeng = counties["yunmeng"]
    chain = yunmeng.processes["四单制"]
    assert [s.ticket for s in chain.steps.values() if s.ticket] == [
        "中心派单", "部门接单", "归口督单", "回访核单"
    ]  # fmt: skip
    assert chain.steps["归口督单"].beside == ("部门接单", "部门办理")  # 四单: beside handling
    assert chain.steps["首问受理"].actor == dsl.model.Actor("首问窗口人员", "window")
    back = chain.steps["部门接单"].actions[1]
    assert (back.effect, back.target, back.requires_reason, back.form) == (
        "return", "中心派单", True, "退单"
    )  # fmt: skip
    assert route(yunmeng, "邻里纠纷", "一般", "东城社区").process == "窗口直办"  # type: ignore[union-attr]
    assert route(yunmeng, "邻里纠纷", "重大", "东城社区").process == "领导包案"  # type: ignore[union-attr]
    assert route(yunmeng, "欠薪纠纷", "较大", "东城社区").office == "人社局"  # type: ignore[union-attr]
    assert yunmeng.offices["人社局"].stationing == dsl.model.Stationing("rotating", (2, 4))
    assert yunmeng.offices["派出所"].stationing.mode == "on_call"


def test_rugao_front_shop_back_factory(counties: dict[str, County]) -> None:
    rugao = counties["rugao"]
    front = [w for w in rugao.windows.values() if w.levels == ("市",)]
    assert len(front) == 12
    # the report's studio, not invented ones (the seven others are named only by field)
    assert [(s.name, s.mediator) for s in rugao.studios.values()] == [
        ("王桂兰家事纠纷调解工作室", "王桂兰")
    ]
    assert sum(1 for c in rugao.centers.values() if c.level == "村") == 56
    assert rugao.centers["白蒲镇"].parent == "如皋市中心"
    village = next(c.key for c in rugao.centers.values() if c.parent == "白蒲镇")
    small = route(rugao, "邻里纠纷", "一般", village)
    big = route(rugao, "邻里纠纷", "较大", village)
    assert small is not None and big is not None
    assert (small.level, big.level) == ("村", "镇")


def test_jining_four_levels_windows_and_diversions(counties: dict[str, County]) -> None:
    jining = counties["jining"]
    assert list(jining.levels) == ["市", "县", "镇", "村"]
    universal = sorted(w.levels[0] for w in jining.windows.values() if w.universal)
    assert universal == ["县", "市", "镇"]
    assert jining.diversions["劳动仲裁"].target == "劳动人事争议仲裁院"
    assert jining.diversions["诉讼"].outcome_required is False
    petition = route(jining, "涉法涉诉信访", "一般", "南张东庄村")
    assert petition is not None and petition.office == "政法委"
    deadline = jining.processes["分级调处"].case_deadline
    assert deadline is not None
    assert deadline.allowed("一般", "村") == Duration(0, "end_of_workday")
    assert deadline.allowed("一般", "县") == Duration(3, "month")
    calendar = jining.calendars["济宁日历"]
    assert (calendar.workday_start, len(calendar.extra_workdays)) == ((9, 0), 1)


def test_seed_readme_separates_report_facts_from_assumptions() -> None:
    for key in SEEDS:
        readme = (ROOT / key / "README.md").read_text(encoding="utf-8")
        assert "假设" in readme and "来自报告" in readme, key


def test_lucheng_administrative_chain_and_rewards(counties: dict[str, County]) -> None:
    lucheng = counties["lucheng"]
    assert list(lucheng.levels) == ["区", "街道", "社区"]
    assert sum(1 for c in lucheng.centers.values() if c.level == "街道") == 14
    chain = lucheng.processes["行政争议"]
    assert list(chain.steps)[:3] == ["主体自纠", "案前调解", "司法确认"]
    assert route(lucheng, "行政争议", "一般", "五马社区").process == "行政争议"  # type: ignore[union-attr]
    assert lucheng.outcomes["司法确认"] == "confirmed"
    assert lucheng.reward_rates == {"mediated": 200, "confirmed": 100}


def test_jiangan_fast_track_court_and_letters(counties: dict[str, County]) -> None:
    jiangan = counties["jiangan"]
    mediation = jiangan.processes["调解优先"].steps["调解"]
    failed = next(a for a in mediation.actions if a.key == "调解不成")
    assert failed.target == "速裁"
    court = jiangan.processes["调解优先"].steps["速裁"].actor
    assert court is not None and (court.role, court.office) == ("法官", "速裁法庭")
    # 转送交办单 and 风险预警函 are letters (函件), not steps dressed up as them
    risk = jiangan.processes["风险交办"].steps
    assert list(risk) == ["研判", "跟踪", "核查"]
    assert all(step.ticket not in jiangan.letters for step in risk.values())
    sheet, warning = jiangan.letters["转送交办单"], jiangan.letters["风险预警函"]
    assert sheet.number_pattern == "江矛交〔{年}〕{号}号" and sheet.needs_case
    assert warning.number_pattern == "江矛预警〔{年}〕{号}号" and not warning.needs_case
    assert sheet.addressees == warning.addressees == ("住建局", "人社局", "信访局")
    assert list(jiangan.processes["医疗纠纷"].steps)[:2] == ["鉴定", "调赔"]


@pytest.mark.parametrize("key", (*SEEDS, "demo-xiaozhen"))
def test_seed_declares_its_outcome_meanings(key: str) -> None:
    """Issue 20 point 5: every outcome a seed's actions record has a declared meaning, one of them
    is a mediation success (else 调解成功率 has no numerator), and a feature proves the figure."""
    county = dsl.compile_county(ROOT / key)
    recorded = {
        action.outcome
        for process in county.processes.values()
        for step in process.steps.values()
        for action in step.actions
        if action.outcome
    }
    assert recorded and recorded <= set(county.outcomes)
    assert "mediated" in county.outcomes.values()
    features = "".join(
        f.read_text(encoding="utf-8") for f in (ROOT / key / "features").glob("*.feature")
    )
    assert "调解成功率" in features


def test_shishou_loop_and_five_sources(counties: dict[str, County]) -> None:
    shishou = counties["shishou"]
    loop = list(shishou.processes["六步闭环"].steps)
    assert loop == ["首问受理", "全面研", "精准交", "高效办", "重点督", "限期结", "综合评"]
    assert {"稳情", "警情", "社情", "民情", "舆情"} <= set(shishou.channels)
    assert sum(1 for c in shishou.centers.values() if c.level == "镇") == 15


def test_echeng_loop_and_court_after_rounds(counties: dict[str, County]) -> None:
    echeng = counties["echeng"]
    steps = echeng.processes["五环闭环"].steps
    assert [k for k in steps if k in ("受理", "研判", "流转", "督办", "反馈")] == [
        "受理", "研判", "流转", "督办", "反馈"
    ]  # fmt: skip
    court = next(a for a in steps["调解"].actions if a.key == "导入诉讼")
    assert court.condition == dsl.model.Comparison("form.round", ">=", 3)
    assert len(echeng.windows) == 16
    assert sum(1 for o in echeng.offices.values() if o.kind == "专业调委会") == 4
