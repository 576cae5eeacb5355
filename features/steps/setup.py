"""Preparing a scenario: the county definition and the clock."""

from __future__ import annotations

from pathlib import Path

import dsl
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from features.steps.phrases import phrase
from features.steps.world import REPO, World, parse_local


def resolve_folder(world: World, folder: str) -> Path:
    """A county folder: absolute, relative to the repository, or relative to this feature's
    county (``.`` is the county whose ``features/`` holds the feature file)."""
    candidates = [Path(folder), world.feature_path.parent.parent / folder, REPO / folder]
    for candidate in candidates:
        if candidate.is_absolute() and candidate.is_dir():
            return candidate.resolve()
    raise world.fail(
        f"找不到县区定义目录「{folder}」",
        f"county definition folder {folder!r} not found",
    )


def load(world: World, folder: Path) -> None:
    try:
        county = dsl.compile_county(folder)
    except dsl.DefinitionError as error:
        files = dsl.load_files(folder)
        shown = "\n".join(
            dsl.format_diagnostic(d, files, lang=world.lang) for d in error.diagnostics
        )
        raise world.fail(
            f"县区定义「{folder.name}」有错误：\n{shown}",
            f"county definition {folder.name!r} has errors:\n{shown}",
        ) from None
    versions.publish(world.db, county, by="验收")
    world.county = county
    world.clock = world.clock or ManualClock(parse_local(world, "2026-01-05 09:00"))
    world.engine = Engine(world.db, world.clock)


@phrase(
    "准备",
    '加载县区定义 "{目录}"',
    'the county definition "{folder}" is loaded',
    doc="编译并发布一个县区目录（相对仓库根目录，或写 . 表示本特性文件所在的县区）。",
    example_zh='假如 加载县区定义 "definitions/xiaogan"',
    example_en='Given the county definition "definitions/xiaogan" is loaded',
)
def load_county(world: World, folder: str) -> None:
    load(world, resolve_folder(world, folder))


@phrase(
    "准备",
    "加载本县区定义",
    "this county's definition is loaded",
    doc="编译并发布本特性文件所在的县区（definitions/<县区>/features/ 的上一级目录）。",
    example_zh="假如 加载本县区定义",
    example_en="Given this county's definition is loaded",
)
def load_this_county(world: World) -> None:
    load(world, world.feature_path.parent.parent.resolve())


@phrase(
    "准备",
    '现在是 "{时间}"',
    'the time is "{moment}"',
    doc="把时钟拨到当地时间（北京时间），不触发定时器；用于背景或场景开头。",
    example_zh='假如 现在是 "2026-09-25 09:00"',
    example_en='Given the time is "2026-09-25 09:00"',
)
def set_clock(world: World, moment: str) -> None:
    when = parse_local(world, moment)
    if world.clock is None:
        world.clock = ManualClock(when)
    else:
        world.clock.set(when)


@phrase(
    "准备",
    '以下针对案件 "{别名}"',
    'the following is about case "{alias}"',
    doc="之后的操作和检查针对先前用别名登记的那件案件。",
    example_zh='当 以下针对案件 "甲"',
    example_en='When the following is about case "A"',
)
def about_case(world: World, alias: str) -> None:
    world.use_case(alias)
