# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Prevention (排查预警): the worker's rounds, a screening checklist turned into a case, the
correlated warnings and the screening coverage (docs/prevention.md)."""

from __future__ import annotations

from sqlalchemy import func, select

from engine import periods, scheduler, versions
from engine.errors import EngineError
from engine.prevention import Prevention
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.prevention_tables import WARNING
from features.steps.figures import parse_period
from features.steps.phrases import phrase
from features.steps.tables import TableError, form_data, rows_of
from features.steps.world import World


def _service(world: World) -> Prevention:
    return Prevention(world.db, world.need_clock())


def _screening(world: World, name: str) -> tuple[str, str]:
    """(key, form) of a screening named by its key or its label."""
    county = world.need_county()
    for item in county.screenings.values():
        if name in (item.key, item.name):
            return item.key, item.form
    known = "、".join(county.screenings) or world.say("无", "none")
    raise world.fail(
        f"没有排查「{name}」（可选：{known}）", f"no screening {name!r} (known: {known})"
    )


@phrase(
    "时间",
    "工作进程运行到期的定时任务",
    "the worker runs the periodic jobs that are due",
    doc="工作进程按当前时间运行到期的定时任务：开出本轮排查任务（每个单位一个）、复核前一日受理的案件是否触发预警、抽取回访。",
    example_zh="当 工作进程运行到期的定时任务",
    example_en="When the worker runs the periodic jobs that are due",
)
def worker_runs(world: World) -> None:
    world.need_county()
    scheduler.run_due(world.db, world.need_clock().now(), worker_id="验收")


@phrase(
    "检查",
    '"{排查}" 本轮开出 {数量} 个排查任务',
    'screening "{screening}" has {count} tasks this round',
    doc="当前时间所在轮次（日、周、半月、月）中该排查开出的任务数：每个单位一个。",
    example_zh='那么 "网格日查" 本轮开出 56 个排查任务',
    example_en='Then screening "网格日查" has 56 tasks this round',
)
def round_has_tasks(world: World, screening: str, count: str) -> None:
    key, _ = _screening(world, screening)
    item = world.need_county().screenings[key]
    period = periods.containing(item.cadence, world.need_clock().now())
    with world.db.connect() as conn:
        found = conn.execute(
            select(func.count()).where(TASK.c.screening == key, TASK.c.period == period.key)
        ).scalar_one()
    if found != int(count):
        raise world.fail(
            f"「{screening}」{period.label}开出 {found} 个排查任务，期望 {count} 个",
            f"screening {screening!r} opened {found} tasks for {period.key}, expected {count}",
        )


@phrase(
    "办理",
    '"{角色}" 在 "{单位}" 填报 "{排查}" 的排查结果：',
    'the "{role}" at "{unit}" records the checklist of "{screening}":',
    doc="排查人填报本单位本轮的排查表（表单字段按标题或键写）；写了「发现矛盾纠纷 | 是」并填了纠纷情况的，可再一键转为案件。",
    example_zh='当 "网格员" 在 "网格工作站（东兴社区）" 填报 "网格日查" 的排查结果：',
    example_en='When the "网格员" at "网格工作站（东兴社区）" records the checklist of "网格日查":',
    table="两列：字段 | 值，字段写排查表单的标题或键，如 已排查事项、发现矛盾纠纷、纠纷情况.事项类型、纠纷情况.当事人（冒一，申请人，13800001111）。",
)
def record_checklist(
    world: World, role: str, unit: str, screening: str, datatable: list[list[str]]
) -> None:
    key, form_name = _screening(world, screening)
    county = world.need_county()
    person = world.person(role, unit)
    schema = county.forms[form_name].schema
    try:
        data, unknown = form_data(rows_of(datatable), schema, form_name)
    except TableError as error:
        raise world.fail(str(error), str(error)) from None
    if unknown:
        names = "、".join(name for name, _ in unknown)
        raise world.fail(
            f"排查表单「{form_name}」没有这些字段：{names}",
            f"form {form_name!r} has no fields {names}",
        )
    task = _open_task(world, person, key, unit)
    try:
        _service(world).record(person, task, data)
    except EngineError as error:
        world.refusal, world.refused_step = (
            error,
            world.say("填报排查结果", "recording the checklist"),
        )
        return
    world.screening_task = task  # type: ignore[attr-defined]


def _open_task(world: World, person: object, key: str, unit: str) -> int:
    tasks = [t for t in _service(world).tasks(person) if t["screening"] == key]  # type: ignore[arg-type]
    if len(tasks) != 1:
        raise world.fail(
            f"「{unit}」没有（或不止一个）待填报的「{key}」排查任务（找到 {len(tasks)} 个）",
            f"{unit!r} has {len(tasks)} open {key!r} tasks, expected one",
        )
    return int(tasks[0]["id"])


@phrase(
    "办理",
    '"{角色}" 在 "{单位}" 把排查发现的纠纷转为案件',
    'the "{role}" at "{unit}" turns the dispute found into a case',
    doc="一键把上一次填报的排查结果中发现的纠纷转为案件（渠道：排查，发生地为该单位），之后的步骤针对这件案件。",
    example_zh='当 "网格员" 在 "网格工作站（东兴社区）" 把排查发现的纠纷转为案件',
    example_en='When the "网格员" at "网格工作站（东兴社区）" turns the dispute found into a case',
)
def to_case(world: World, role: str, unit: str) -> None:
    task = getattr(world, "screening_task", None)
    if task is None:
        raise world.fail("还没有填报排查结果", "no checklist has been recorded yet")
    try:
        view = _service(world).found_case(world.person(role, unit), task)
    except EngineError as error:
        world.refusal, world.refused_step = error, world.say("转为案件", "turning it into a case")
        return
    world.current = view.code
    world.cases[view.code] = view.code


@phrase(
    "检查",
    '案件来自排查 "{排查}"',
    'the case came from screening "{screening}"',
    doc="当前案件的渠道为「排查」，处理记录里有它来自哪一次排查（排查名称、轮次、单位）。",
    example_zh='那么 案件来自排查 "网格日查"',
    example_en='Then the case came from screening "网格日查"',
)
def case_from_screening(world: World, screening: str) -> None:
    key, _ = _screening(world, screening)
    name = world.need_county().screenings[key].name
    view = world.case()
    notes = [e.note for e in world.need_engine().timeline(world.overseer(), view.code)]
    linked = any(note.startswith(f"来自排查：{name} · ") for note in notes)
    if view.channel != "排查" or not linked:
        raise world.fail(
            f"案件 {view.code} 的渠道为「{view.channel}」，{'' if linked else '处理记录中没有'}来自排查「{name}」",
            f"case {view.code} came in through {view.channel!r}{'' if linked else ', not from screening ' + repr(name)}",
        )


@phrase(
    "检查",
    '触发 "{等级=grade}" 预警 "{规则=rule}"，说明为 "{说明=explanation}"',
    'warning "{rule}" is raised at grade "{grade}", explained as "{explanation}"',
    doc="该预警规则有一条未办结的预警，等级与说明（如「同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2」）都相符。",
    example_zh='那么 触发 "橙" 预警 "同一线索五次"，说明为 "同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2"',
    example_en='Then warning "同一线索五次" is raised at grade "橙", explained as "同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2"',
)
def warning_raised(world: World, grade: str, rule: str, explanation: str) -> None:
    found = _open_warnings(world, rule)
    wanted = [(grade, explanation)]
    actual = [(row["grade"], row["explanation"]) for row in found]
    if actual != wanted:
        shown = "；".join(f"{g}：{e}" for g, e in actual) or world.say("没有预警", "none")
        raise world.fail(
            f"预警「{rule}」期望 {grade}：{explanation}，实际 {shown}",
            f"warning {rule!r}: expected {grade}: {explanation}, got {shown}",
        )


@phrase(
    "检查",
    '没有触发预警 "{规则}"',
    'no warning "{rule}" is raised',
    doc="该预警规则没有未办结的预警。",
    example_zh='那么 没有触发预警 "同一线索五次"',
    example_en='Then no warning "同一线索五次" is raised',
)
def no_warning(world: World, rule: str) -> None:
    found = _open_warnings(world, rule)
    if found:
        raise world.fail(
            f"预警「{rule}」已触发：{found[0]['explanation']}",
            f"warning {rule!r} was raised: {found[0]['explanation']}",
        )


def _open_warnings(world: World, rule: str) -> list[dict[str, object]]:
    county = world.need_county()
    if rule not in county.warning_rules:
        known = "、".join(county.warning_rules) or world.say("无", "none")
        raise world.fail(
            f"没有预警规则「{rule}」（可选：{known}）", f"no warning rule {rule!r} (known: {known})"
        )
    county_id = versions.county_id(world.db, county.key)
    with world.db.connect() as conn:
        rows = conn.execute(
            select(WARNING).where(
                WARNING.c.county_id == county_id, WARNING.c.rule == rule, WARNING.c.state == "open"
            )
        ).mappings()
        return [dict(row) for row in rows]


@phrase(
    "统计",
    '"{期间}" 的排查覆盖率为 "{比率}"',
    'the screening coverage for "{period}" is "{rate}"',
    doc="该期间内已结束的排查轮次中按时完成的占比（按时完成 ÷ 应排查），写成 1.8% 这样的百分数；无应排查时写 —。",
    example_zh='那么 "2026-11-02" 的排查覆盖率为 "1.8%"',
    example_en='Then the screening coverage for "2026-11-02" is "1.8%"',
)
def coverage_is(world: World, period: str, rate: str) -> None:
    chosen = parse_period(world, period)
    found = _service(world).coverage(world.need_county().key, chosen.start_utc, chosen.end_utc)
    shown = f"{found.rate:.1%}" if found.rate is not None else "—"
    if shown != rate:
        raise world.fail(
            f"{period} 的排查覆盖率为 {shown}（按时 {found.on_time}、超期 {found.late}、未排查 {found.missed}，应排查 {found.due}），期望 {rate}",
            f"screening coverage for {period} is {shown} ({found.on_time}/{found.due}), expected {rate}",
        )
