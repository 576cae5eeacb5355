"""The national holiday table (engine/national_calendar.py, engine/holiday_file.py,
admin/holiday_import.py, `yidi calendar`): imported once for every county, versioned, audited,
read by the working-day arithmetic before chinesecalendar, seen without a restart; deadlines
into a year no source covers are marked; `yidi check` warns from November.

The 2027 days below are TEST DATA named 测试假期, not the State Council's schedule (which no
library carried when this was written): they only exercise the arithmetic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

import admin.calendar_cli
import server
from admin import holiday_import
from admin.console.store import AUDIT
from dsl import compile_county
from dsl.model import Calendar, Duration
from engine import national_calendar, versions
from engine.calendar import WorkCalendar
from engine.cases import Engine
from engine.clock import CST, ManualClock
from engine.holiday_file import HolidayFileError, read
from engine.national_calendar import VERSIONS, coverage_warning
from engine.tables import EVENT

XIAOGAN = Path(__file__).resolve().parents[2] / "definitions" / "xiaogan"
PLAIN = Calendar("标准", "标准工作日")
# Test data: Fri 2027-01-01 and Mon-Tue Jan 4-5 off, Sat Jan 9 worked.
TEST_2027 = (
    "年度,日期,类型,名称\n"
    "2027,2027-01-01,放假,测试假期\n"
    "2027,2027-01-04,放假,测试假期\n"
    "2027,2027-01-05,放假,测试假期\n"
    "2027,2027-01-09,上班,测试假期\n"
)


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Iterator[None]:
    """The process-wide snapshot follows each test's own database, never an earlier one's."""
    national_calendar.forget()
    yield
    national_calendar.forget()


def imported(db: DbEngine, text: str = TEST_2027, name: str = "2027.csv") -> list[Any]:
    changes = holiday_import.import_file(db, name, text.encode("utf-8"), "系统管理员甲")
    with db.connect() as conn:
        national_calendar.refresh(conn)
    return changes


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def count(db: DbEngine, table: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- the table before the library ------------------------------------------------------------


def test_without_the_table_2027_is_uncovered_and_only_weekends_are_off(db: DbEngine) -> None:
    with db.connect() as conn:
        snapshot = national_calendar.refresh(conn)
    assert snapshot.source(2026) == national_calendar.LIBRARY
    assert snapshot.source(2027) is None
    assert WorkCalendar(PLAIN).add(cst(2026, 12, 31, 10), Duration(1, "workday")) == cst(
        2027, 1, 1, 10
    )


def test_an_imported_year_decides_holidays_and_make_up_days(db: DbEngine) -> None:
    imported(db)
    cal = WorkCalendar(PLAIN)
    assert cal.covers(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))  # a Saturday made a working day
    assert cal.is_workday(date(2027, 1, 6))  # an ordinary Wednesday
    # Thu Dec 31 -> (Jan 1 off, weekend, Jan 4-5 off) Jan 6, 7, 8, Sat Jan 9 (make-up), Jan 11
    start = cst(2026, 12, 31, 10)
    assert cal.add(start, Duration(1, "workday")) == cst(2027, 1, 6, 10)
    assert cal.add(start, Duration(4, "workday")) == cst(2027, 1, 9, 10)
    assert cal.add(start, Duration(5, "workday")) == cst(2027, 1, 11, 10)
    assert cal.uncovered_years(start, cst(2027, 1, 11, 10), "workday") == ()


def test_the_table_wins_over_the_library_for_a_year_both_have(db: DbEngine) -> None:
    cal = WorkCalendar(PLAIN)
    assert not cal.is_workday(date(2026, 10, 1))  # chinesecalendar: National Day
    imported(db, "年度,日期,类型,名称\n2026,2026-10-12,放假,测试假期\n", "2026.csv")
    assert not cal.is_workday(date(2026, 10, 12))
    # the table's 2026 is the whole truth for 2026: the library's days no longer count
    assert cal.is_workday(date(2026, 10, 1))


def test_each_import_is_a_version_and_the_newest_is_used(db: DbEngine) -> None:
    imported(db)
    cal = WorkCalendar(PLAIN)
    assert not cal.is_workday(date(2027, 1, 5))
    changed = TEST_2027.replace("2027-01-05,放假", "2027-01-06,放假")
    [change] = imported(db, changed)
    assert change.number == 2
    assert change.added == ["2027-01-06 放假（测试假期）"]
    assert change.removed == ["2027-01-05 放假（测试假期）"]
    assert cal.is_workday(date(2027, 1, 5)) and not cal.is_workday(date(2027, 1, 6))
    assert [v.number for v in holiday_import.versions(db, 2027)] == [2, 1]  # both kept
    # the same file again changes nothing: no third version, no audit row
    [same] = imported(db, changed)
    assert same.number is None
    assert count(db, VERSIONS) == 2
    with db.connect() as conn:
        audit = conn.execute(select(AUDIT).order_by(AUDIT.c.id)).all()
    assert [(a.county, a.actor, a.action) for a in audit] == [
        ("*", "系统管理员甲", "导入全国节假日")
    ] * 2
    assert audit[1].after["2027"]["删除"] == ["2027-01-05 放假（测试假期）"]
    assert audit[1].before["2027"]["2027-01-05"] == ["放假", "测试假期"]


def test_a_snapshot_reloads_when_the_newest_row_changes_even_with_a_reused_id(
    db: DbEngine,
) -> None:
    imported(db)
    first = national_calendar.current()
    with db.begin() as conn:  # a restore or a truncation reuses ids: the token tells
        conn.execute(VERSIONS.delete())
    imported(db, TEST_2027.replace("2027-01-05,放假", "2027-01-07,放假"))
    again = national_calendar.current()
    assert again.stamp != first.stamp
    assert date(2027, 1, 7) in again.days and date(2027, 1, 5) not in again.days


def library_2026_file() -> str:
    """chinesecalendar's own 2026 (the State Council's 2026 notice), written as a file."""
    rows = ["年度,日期,类型,名称"]
    for day, found in sorted(national_calendar.library_year(2026).items()):
        rows.append(f"2026,{day},{'上班' if found.working else '放假'},{found.name}")
    return "\n".join(rows) + "\n"


def test_the_library_year_as_a_file_gives_the_same_calendar_and_no_difference(
    db: DbEngine,
) -> None:
    import chinese_calendar

    [change] = imported(db, library_2026_file(), "2026.csv")
    assert change.number == 1 and change.library_differs == []
    assert national_calendar.current().source(2026) == national_calendar.TABLE
    cal = WorkCalendar(PLAIN)
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


def test_an_import_is_compared_with_chinesecalendar_where_it_has_the_year(db: DbEngine) -> None:
    moved = library_2026_file().replace("2026,2026-10-07,放假", "2026,2026-10-08,放假")
    [change] = imported(db, moved, "2026.csv")
    assert change.library_differs == [
        "2026-10-07：文件为上班，chinesecalendar 为放假",
        "2026-10-08：文件为放假，chinesecalendar 为上班",
    ]


def test_a_reader_in_another_thread_does_not_hand_this_one_an_older_table(
    db: DbEngine, tmp_path: Path
) -> None:
    imported(db)
    # Another thread refreshes from a view without the import (here: an empty database; in
    # production a read that began before the import committed).
    from engine import schema
    from engine.db import make_engine

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    schema.upgrade(other)

    def stale() -> None:
        with other.connect() as conn:
            assert national_calendar.refresh(conn).versions == {}

    thread = threading.Thread(target=stale)
    thread.start()
    thread.join()
    other.dispose()
    # this thread's transaction saw the import and keeps computing with it
    assert not WorkCalendar(PLAIN).is_workday(date(2027, 1, 1))


# --- bad files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("2027.csv", "", "文件是空的"),
        ("2027.xlsx", "x", "只支持 .csv 或 .json 文件"),
        ("2027.csv", "日期,类型\n2027-01-01,放假\n", "缺少列「年度」"),
        (
            "2027.csv",
            "年度,日期,类型,名称\n2027,2027-02-30,放假,春节\n",
            "第 2 行：日期「2027-02-30」无效",
        ),
        ("2027.csv", "年度,日期,类型,名称\n2027,2027-01-01,休假,元旦\n", "类型「休假」无效"),
        ("2027.csv", "年度,日期,类型,名称\n2027,2027-01-01,放假,\n", "放假日要写明节日名称"),
        (
            "2027.csv",
            "年度,日期,类型,名称\n2027,2027-01-06,上班,\n",
            "2027-01-06 是星期三，本来就上班",
        ),
        ("2027.csv", "年度,日期,类型,名称\n2027,2025-12-31,放假,元旦\n", "不属于 2027 年度的安排"),
        ("2027.csv", "年度,日期,类型,名称\n2027,2027-01-09,上班,元旦\n", "2027 年度没有一个放假日"),
        (
            "2027.csv",
            "年度,日期,类型,名称\n2027,2027-01-01,放假,元旦\n2027,2027-01-01,放假,元旦\n",
            "第 3 行：日期 2027-01-01 重复（第 2 行已有）",
        ),
        ("2027.json", '{"日期": [', "JSON 格式错误"),
        ("2027.json", '{"日期": 5}', "JSON 应为日期对象的列表"),
        ("2027.csv", "年度,日期,类型,名称\n27,2027-01-01,放假,元旦\n", "年度「27」应为"),
    ],
)
def test_a_bad_file_is_refused_in_chinese_and_writes_nothing(
    db: DbEngine, name: str, text: str, message: str
) -> None:
    with pytest.raises(HolidayFileError, match=message):
        holiday_import.import_file(db, name, text.encode("utf-8"), "系统管理员甲")
    assert count(db, VERSIONS) == 0
    assert count(db, AUDIT) == 0


def test_one_bad_row_refuses_the_whole_file(db: DbEngine) -> None:
    text = TEST_2027 + "2028,2028-01-01,放假,测试假期\n2028,2028-13-01,放假,测试假期\n"
    with pytest.raises(HolidayFileError) as refused:
        holiday_import.import_file(db, "两年.csv", text.encode("utf-8"), "甲")
    assert refused.value.problems == ["第 7 行：日期「2028-13-01」无效，应写成 2027-01-01 的样子"]
    assert count(db, VERSIONS) == 0


def test_json_and_gbk_csv_read_like_utf8_csv() -> None:
    rows = [
        {"年度": 2027, "日期": "2027-01-01", "类型": "放假", "名称": "测试假期"},
        {"年度": 2027, "日期": "2027-01-09", "类型": "调休上班", "名称": "测试假期"},
    ]
    import json

    as_json = read("a.json", json.dumps({"说明": "测试", "日期": rows}).encode("utf-8"))
    csv_text = "年度,日期,类型,名称\n2027,2027-01-01,放假,测试假期\n2027,2027-01-09,补班,测试假期\n"
    as_csv = read("a.csv", csv_text.encode("gb18030"))
    assert as_json.schedules[2027].stored() == as_csv.schedules[2027].stored()
    assert as_json.notice == "测试"


# --- deadlines into an uncovered year are marked ---------------------------------------------


def xiaogan(db: DbEngine, now: datetime) -> Engine:
    versions.publish(db, compile_county(XIAOGAN), by="测试")
    return Engine(db, ManualClock(now))


def intake() -> dict[str, Any]:
    party = {"name": "张小明", "role": "申请人", "phone": "13800138000"}
    place = {"town": "书院街道", "village": "书院社区"}
    data = {"location": place, "summary": "邻居装修噪音扰民多次协商未果"}
    facts = {"channel": "来访", "category": "邻里纠纷", "severity": "一般", "location": "书院社区"}
    return {**facts, "parties": [party], "data": data}


def marks(db: DbEngine, case_id: int) -> list[Any]:
    with db.connect() as conn:
        return conn.execute(
            select(EVENT.c.ticket_id, EVENT.c.after, EVENT.c.note).where(
                EVENT.c.case_id == case_id, EVENT.c.kind == "due_uncovered"
            )
        ).all()


def test_a_deadline_computed_into_an_uncovered_year_is_marked(db: DbEngine) -> None:
    # Thursday 2026-12-31 18:00: the 派单 is due at the end of the next working day
    wf = xiaogan(db, cst(2026, 12, 31, 18, 0))
    view = wf.receive("窗口", "xiaogan", **intake())
    [ticket] = view.open_tickets()
    assert ticket.due_at == cst(2027, 1, 1, 17, 30)  # Jan 1 unknown: counted as a Friday
    [(ticket_id, after, note)] = marks(db, view.id)
    assert ticket_id == ticket.id
    assert after["years"] == [2027]
    assert datetime.fromisoformat(after["deadline"]) == ticket.due_at
    assert "2027 年" in note and "可能不准" in note
    # The case's own deadline (3 calendar days) ignores holidays: not marked.


def test_after_the_import_the_same_intake_is_neither_marked_nor_wrong(db: DbEngine) -> None:
    wf = xiaogan(db, cst(2026, 12, 31, 18, 0))
    imported(db)
    national_calendar.forget()  # the engine's own transaction must find the import by itself
    view = wf.receive("窗口", "xiaogan", **intake())
    [ticket] = view.open_tickets()
    assert ticket.due_at == cst(2027, 1, 6, 17, 30)  # Jan 1 off, weekend, Jan 4-5 off
    assert marks(db, view.id) == []


# --- the warning ------------------------------------------------------------------------------


def test_the_warning_starts_in_november_and_ends_with_the_import(db: DbEngine) -> None:
    empty = national_calendar.EMPTY
    assert coverage_warning(empty, date(2026, 10, 31)) is None
    warning = coverage_warning(empty, date(2026, 11, 1))
    assert warning is not None and warning.startswith("2027 年的全国节假日安排")
    imported(db)
    assert coverage_warning(national_calendar.current(), date(2026, 12, 6)) is None
    # a January without this year's schedule warns too
    assert "2028 年" in (coverage_warning(national_calendar.current(), date(2028, 1, 3)) or "")


@pytest.fixture
def instance(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """`yidi` commands on this test's database, with the clock they read today from."""
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YIDI_SECRET_KEY", "test-secret")
    clock = ManualClock(datetime(2026, 10, 31, 4, tzinfo=UTC))
    monkeypatch.setattr(admin.calendar_cli, "clock", clock)
    return clock


def test_yidi_check_warns_from_november_until_next_year_is_imported(
    db: DbEngine,
    instance: ManualClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = str(XIAOGAN)
    assert server.main(["check", folder]) == 0
    assert "全国节假日" not in capsys.readouterr().out  # October: nothing to say yet
    instance.set(datetime(2026, 11, 1, 1, tzinfo=UTC))
    assert server.main(["check", folder]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    assert "警告: 2027 年的全国节假日安排（放假与调休上班）尚未导入" in out
    assert out.rstrip().endswith("0 个错误，1 个警告")
    file = tmp_path / "2027.csv"
    file.write_text(TEST_2027, encoding="utf-8")
    assert server.main(["calendar", "import", str(file), "--by", "测试"]) == 0
    assert "2027 年：第 1 版（新增 4 天，删除 0 天，改变 0 天）" in capsys.readouterr().out
    assert server.main(["check", folder]) == 0
    assert capsys.readouterr().out.rstrip().endswith("0 个错误，0 个警告")


def test_yidi_calendar_show_and_a_refused_import(
    db: DbEngine, instance: ManualClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance.set(datetime(2026, 12, 6, 1, tzinfo=UTC))
    assert server.main(["calendar", "show"]) == 0
    out = capsys.readouterr().out
    assert "2026 年：chinesecalendar" in out and "2027 年：未覆盖（只按周末计算）" in out
    assert "警告：2027 年" in out
    bad = tmp_path / "坏.csv"
    bad.write_text("年度,日期,类型,名称\n2027,2027-01-06,上班,\n", encoding="utf-8")
    assert server.main(["calendar", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "不能导入（什么也没有写入）" in err and "本来就上班" in err
    assert count(db, VERSIONS) == 0
    good = tmp_path / "2027.csv"
    good.write_text(TEST_2027, encoding="utf-8")
    assert server.main(["calendar", "import", str(good)]) == 0
    capsys.readouterr()
    assert server.main(["calendar", "show", "2027"]) == 0
    out = capsys.readouterr().out
    assert "2027 年：全国节假日表" in out
    assert "2027-01-09 星期六 上班 测试假期" in out
    assert "第 1 版：" in out and "命令行:" in out
    moved = tmp_path / "2026.csv"
    moved.write_text(library_2026_file().replace("2026-10-07,放假", "2026-10-08,放假"), "utf-8")
    assert server.main(["calendar", "import", str(moved)]) == 0
    out = capsys.readouterr().out
    assert "注意：2026 年与 chinesecalendar 不一致的日期（请对照国务院通知核实）" in out
    assert "2026-10-08：文件为放假，chinesecalendar 为上班" in out


def test_yidi_calendar_grant_needs_an_existing_account(
    db: DbEngine, instance: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server.main(["calendar", "grant", "nobody"]) == 1
    assert "没有用户「nobody」" in capsys.readouterr().err
    assert not holiday_import.is_system_admin(db, "nobody")


def test_a_directory_or_a_missing_file_is_refused_in_chinese(
    db: DbEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server.main(["calendar", "import", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "是一个目录，不是文件" in err and "Is a directory" not in err
    assert server.main(["calendar", "import", str(tmp_path / "没有.csv")]) == 2
    err = capsys.readouterr().err
    assert "文件不存在" in err and "No such file" not in err
    assert count(db, VERSIONS) == 0
