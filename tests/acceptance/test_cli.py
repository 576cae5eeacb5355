"""`yidi accept DIR`: runs one county's scenarios and exits non-zero when one fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import server
from features.steps.world import REPO

FAILING = """# language: zh-CN
功能: 故意失败

  场景: 派单的地点写错了
    假如 加载本县区定义
    而且 现在是 "2026-11-02 09:00"
    当 在 "东镇" 的 "综合窗口" 登记案件：
      | 事项类型 | 邻里纠纷                   |
      | 等级     | 一般                       |
      | 地点     | 东村                       |
      | 纠纷发生地.镇 | 东镇                  |
      | 当事人   | 张三，13800001111          |
      | 纠纷概要 | 邻居装修噪音扰民，协商未果 |
    那么 案件在 "派单" 步骤，由 "小镇县中心" 办理
"""


def test_a_folder_without_scenarios_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server.main(["accept", str(tmp_path / "nowhere")]) == 2
    assert "找不到县区定义目录" in capsys.readouterr().err
    assert server.main(["accept", str(tmp_path)]) == 2
    assert "没有验收场景" in capsys.readouterr().err


@pytest.mark.slow
def test_a_failing_scenario_fails_the_run_with_the_domain_message(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    county = tmp_path / "demo-xiaozhen"
    shutil.copytree(
        REPO / "definitions" / "demo-xiaozhen", county, ignore=shutil.ignore_patterns("features")
    )
    (county / "features").mkdir()
    (county / "features" / "失败.feature").write_text(FAILING, encoding="utf-8")
    # The child run gets its own SQLite databases: it must not reset this run's PostgreSQL one.
    monkeypatch.delenv("YIDI_TEST_DATABASE_URL", raising=False)
    assert server.main(["accept", str(county)]) != 0
    out = capfd.readouterr().out
    assert "期望案件在「派单」由 小镇县中心 办理，实际「派单」由 东镇 办理" in out
    assert "失败.feature:14: 那么 案件在" in out
    assert "1 failed" in out


MISTYPED = FAILING.replace("登记案件：", "登级案件：").replace(
    '案件在 "派单" 步骤，由', '案件在 "派单" 步骤，有'
)


@pytest.mark.slow
def test_a_mistyped_step_names_its_place_and_the_nearest_steps_in_chinese(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    county = tmp_path / "demo-xiaozhen"
    shutil.copytree(
        REPO / "definitions" / "demo-xiaozhen", county, ignore=shutil.ignore_patterns("features")
    )
    (county / "features").mkdir()
    (county / "features" / "错字.feature").write_text(MISTYPED, encoding="utf-8")
    monkeypatch.delenv("YIDI_TEST_DATABASE_URL", raising=False)
    assert server.main(["accept", str(county)]) != 0
    out = capfd.readouterr().out
    assert "StepDefinitionNotFoundError" not in out
    assert "Step definition is not found" not in out
    assert '错字.feature:7: 当 在 "东镇" 的 "综合窗口" 登级案件' in out
    assert "第 7 行的步骤没有定义（步骤库里没有这样的写法）。您是不是要写：" in out
    assert '    当 在 "{中心}" 的 "{窗口}" 登记案件：' in out
