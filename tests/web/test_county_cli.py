"""`yidi county add` / `yidi user add` as an operator meets them (issue 18): a typo in --county is
refused with the nearest county named, never a new county; memberships are checked against the
county's published definition."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine, func, select

import dsl
import server
from admin.accounts import USERS
from engine import versions
from engine.registry import COUNTY_T
from tests.web.counties import DEFINITIONS, publish_xiaogan


@pytest.fixture
def cli(
    db_url: str, db: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
        code = server.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def counted(db: Engine) -> tuple[int, int]:
    with db.connect() as conn:
        users = conn.execute(select(func.count()).select_from(USERS)).scalar_one()
        counties = conn.execute(select(func.count()).select_from(COUNTY_T)).scalar_one()
    return users, counties


def test_a_mistyped_county_is_refused_with_the_nearest_name(cli, db: Engine) -> None:
    publish_xiaogan(db)
    before = counted(db)
    code, _, err = cli("user", "add", "boss", "--county", "xiaogam", "--admin", "--password-stdin")
    assert code == 1
    assert "没有县区「xiaogam」" in err
    assert "您是不是要写「xiaogan」（孝感市）？" in err
    assert "yidi county add" in err
    assert counted(db) == before  # no account, no county


def test_a_new_county_is_created_explicitly_then_gets_its_administrator(cli, db: Engine) -> None:
    code, out, _ = cli("county", "add", "qingshan", "--name", "青山县")
    assert code == 0 and "已创建县区「青山县」（qingshan）" in out
    code, out, _ = cli(
        "user", "add", "qs-admin", "--county", "qingshan", "--admin", "--password-stdin"
    )
    assert code == 0 and "已创建用户「qs-admin」" in out
    assert (
        cli("county", "add", "qingshan", "--name", "青山县")[2].strip() == "县区「qingshan」已存在"
    )
    code, _, err = cli("county", "add", "青山", "--name", "青山县")
    assert code == 1 and "县区编码「青山」无效" in err


def test_a_membership_is_checked_against_the_published_definition(cli, db: Engine) -> None:
    publish_xiaogan(db)
    before = counted(db)
    code, _, err = cli(
        "user", "add", "wrong", "--county", "xiaogan",
        "--member", "书院街道:律师:法院",
        "--member", "孝南区中心:承办人:司法所",
        "--member", "书院街道:调度员:司法所",
        "--password-stdin",
    )  # fmt: skip
    assert code == 1
    assert err.splitlines() == [
        "岗位「书院街道:律师:法院」：角色“律师”不存在",
        "岗位「书院街道:律师:法院」：单位“法院”不存在",
        "岗位「孝南区中心:承办人:司法所」：单位“司法所”未入驻“孝南区中心”",
        "岗位「书院街道:调度员:司法所」：单位“司法所”没有角色“调度员”（它的角色：承办人、调解员、负责人）",
    ]
    assert counted(db) == before
    code, _, _ = cli(
        "user", "add", "right", "--county", "xiaogan",
        "--member", "书院街道:承办人:司法所", "--password-stdin",
    )  # fmt: skip
    assert code == 0


def test_the_issue_s_membership_in_rugao_is_refused(cli, db: Engine) -> None:
    versions.publish(db, dsl.compile_county(DEFINITIONS / "rugao"), by="test")
    code, _, err = cli(
        "user", "add", "wrong", "--county", "rugao", "--member", "三洲村:律师:法院",
        "--password-stdin",
    )  # fmt: skip
    assert code == 1
    assert err.splitlines() == [
        "岗位「三洲村:律师:法院」：中心“三洲村”不存在",
        "岗位「三洲村:律师:法院」：角色“律师”不存在",
    ]


def test_memberships_in_a_county_without_a_definition_wait_for_its_publication(cli) -> None:
    cli("county", "add", "qingshan", "--name", "青山县")
    code, _, err = cli(
        "user", "add", "x1", "--county", "qingshan", "--member", "城关镇:调解员", "--password-stdin"
    )
    assert code == 1 and "本县尚未发布定义" in err


def test_without_a_terminal_or_password_stdin_it_says_so_in_chinese(cli, db: Engine) -> None:
    publish_xiaogan(db)
    before = counted(db)
    code, _, err = cli("user", "add", "bob", "--county", "xiaogan", "--admin")
    assert code == 2
    assert "--password-stdin" in err and "没有终端" in err and "Traceback" not in err
    assert counted(db) == before
