"""The 排查 and 预警 tabs served (admin/prevention_pages.py, admin/prevention_figures.py):
a grid member records a checklist and turns the dispute into a case in one click; the town
dispatcher closes a warning work order; figures by grade, source, town and coverage; every
read scoped to the user's centers and roles, every refusal in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine.cases import Engine as Workflow
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.prevention_tables import WARNING
from tests.prevention.pages import PASSWORD, prepare
from tests.prevention.rugao import KEY
from tests.support import csrf_of
from tests.web.conftest import login

FOUND = {
    "checked": ["矛盾纠纷", "邻里关系"],
    "households": "12",
    "发现纠纷": "true",
    "纠纷/category": "邻里纠纷",
    "纠纷/severity": "一般",
    "纠纷/summary": "两户因宅基地排水沟堵塞争执不下",
    "纠纷/parties/0/name": "冒一",
    "纠纷/parties/0/role": "申请人",
    "纠纷/parties/0/phone": "13800001111",
}


def my_task(client: TestClient) -> str:
    page = client.get("/prevention/screening")
    assert page.status_code == 200
    found = re.findall(r'href="/prevention/screening/(\d+)">网格员每日排查', page.text)
    assert len(found) == 1, page.text
    return found[0]


def test_a_grid_member_screens_and_turns_the_dispute_into_a_case(
    db: Engine, app: Any, client: TestClient
) -> None:
    prepare(db, app)
    assert login(client, "wangge", PASSWORD) == 303
    inbox = client.get("/inbox")
    assert 'href="/prevention/screening">排查</a>' in inbox.text
    assert 'href="/prevention/warnings">预警</a>' in inbox.text
    task = my_task(client)
    form = client.get(f"/prevention/screening/{task}")
    assert "如皋市矛盾纠纷十项排查表" in form.text and "保存排查结果" in form.text
    token = csrf_of(client, f"/prevention/screening/{task}")
    # nothing checked: the form's own Chinese message, nothing written
    bad = client.post(
        f"/prevention/screening/{task}", data={"csrf_token": token, "发现纠纷": "true"}
    )
    assert bad.status_code == 422 and "已排查事项" in bad.text
    with db.connect() as conn:
        assert conn.execute(select(TASK.c.state).where(TASK.c.id == int(task))).scalar() == "open"
    # no CSRF token: refused
    assert client.post(f"/prevention/screening/{task}", data=FOUND).status_code == 403
    done = client.post(f"/prevention/screening/{task}", data={**FOUND, "csrf_token": token})
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert (
        "排查结果已保存" in page.text
        and "发现矛盾纠纷" in page.text
        and 'id="to-case"' in page.text
    )
    made = client.post(f"/prevention/screening/{task}/case", data={"csrf_token": token})
    assert made.status_code == 303 and made.headers["location"].startswith("/cases/RG-")
    case = client.get(made.headers["location"])
    assert case.status_code == 200 and "排查" in case.text and "排查发现" in case.text
    again = client.post(f"/prevention/screening/{task}/case", data={"csrf_token": token})
    assert again.status_code == 409 and "已经转为案件" in again.text


def test_another_units_task_is_a_404(db: Engine, app: Any, client: TestClient) -> None:
    prepare(db, app)
    assert login(client, "wangge", PASSWORD) == 303
    task = my_task(client)
    client.cookies.clear()
    assert login(client, "wangge2", PASSWORD) == 303
    assert client.get(f"/prevention/screening/{task}").status_code == 404
    token = csrf_of(client, "/prevention/screening")
    posted = client.post(f"/prevention/screening/{task}", data={**FOUND, "csrf_token": token})
    assert posted.status_code == 404 and "不是派给您的" in posted.text
    assert client.get("/prevention/screening/99999999999").status_code == 404


def raise_warning(db: Engine, app: Any) -> None:
    wf = Workflow(db, app.state.clock)
    for index, channel in enumerate(["12345", "12345", "网格", "12345", "网格"]):
        wf.receive(
            "测试",
            KEY,
            channel=channel,
            category="物业纠纷",
            severity="一般",
            location="东兴社区",
            parties=[{"name": f"业主{index}", "role": "申请人", "phone": f"1390000{index:04d}"}],
            data={
                "summary": "小区物业费上涨引发业主集体不满",
                "location": {"town": "如城街道", "village": "东兴社区"},
            },
            visits=0,
        )
        app.state.clock.set(app.state.clock.now() + timedelta(hours=1))


def test_the_town_dispatcher_closes_the_warning_work_order(
    db: Engine, app: Any, client: TestClient
) -> None:
    prepare(db, app)
    raise_warning(db, app)
    assert login(client, "baipu", PASSWORD) == 303  # another town: not theirs
    assert "没有未办结的预警" in client.get("/prevention/warnings").text
    [warning_id] = [w for w in _ids(db)]
    token = csrf_of(client, "/prevention/warnings")
    other = client.post(
        f"/prevention/warnings/{warning_id}/close", data={"csrf_token": token, "note": "已处置"}
    )
    assert other.status_code == 404
    client.cookies.clear()
    assert login(client, "rucheng", PASSWORD) == 303
    listed = client.get("/prevention/warnings")
    assert "同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2" in listed.text
    assert 'class="grade grade-橙"' in listed.text
    token = csrf_of(client, "/prevention/warnings")
    empty = client.post(
        f"/prevention/warnings/{warning_id}/close", data={"csrf_token": token, "note": " "}
    )
    assert empty.status_code == 422 and "请填写处置情况" in empty.text
    closed = client.post(
        f"/prevention/warnings/{warning_id}/close",
        data={"csrf_token": token, "note": "已约谈物业公司，业委会牵头协商"},
    )
    assert closed.status_code == 303
    assert "没有未办结的预警" in client.get("/prevention/warnings").text
    assert "已约谈物业公司" in client.get("/prevention/warnings?show=all").text
    twice = client.post(
        f"/prevention/warnings/{warning_id}/close", data={"csrf_token": token, "note": "再办"}
    )
    assert twice.status_code == 409 and "已经办结" in twice.text


def _ids(db: Engine) -> list[int]:
    with db.connect() as conn:
        return [int(i) for i in conn.execute(select(WARNING.c.id)).scalars()]


def test_figures_by_grade_source_town_and_coverage(
    db: Engine, app: Any, client: TestClient
) -> None:
    prepare(db, app)
    raise_warning(db, app)
    assert login(client, "rucheng", PASSWORD) == 303
    page = client.get("/prevention/figures?month=2026-11")
    assert page.status_code == 200
    grades = page.text.split('id="warnings-by-grade"', 1)[1].split("</section>", 1)[0]
    assert "grade-橙" in grades and "1 条" in grades
    sources = page.text.split('id="warnings-by-source"', 1)[1].split("</section>", 1)[0]
    assert "<td>12345</td><td>1 条</td>" in sources and "<td>网格</td><td>1 条</td>" in sources
    towns = page.text.split('id="warnings-by-town"', 1)[1].split("</section>", 1)[0]
    assert "<td>如城街道</td><td>1 条</td>" in towns
    # the rounds of 2 November ended at midnight: 如城街道's villages missed theirs
    app.state.clock.set(app.state.clock.now() + timedelta(days=1))
    page = client.get("/prevention/figures?month=2026-11")
    coverage = page.text.split('id="screening-coverage"', 1)[1].split("</section>", 1)[0]
    assert "网格员每日排查" in coverage and "0.0%" in coverage
    # another town's dispatcher sees none of 如城街道's warnings
    client.cookies.clear()
    assert login(client, "baipu", PASSWORD) == 303
    assert "本月没有预警" in client.get("/prevention/figures?month=2026-11").text
    bad = client.get("/prevention/figures?month=11月")
    assert bad.status_code == 200 and "统计月份应写成 2026-11" in bad.text


def test_cases_pushed_through_the_api_raise_the_warning(
    db: Engine, app: Any, client: TestClient
) -> None:
    """At API push (the 12345 hotline and the grid platform): the fifth push raises it."""
    from admin.accounts import create_api_key

    prepare(db, app)
    keys = {name: create_api_key(db, name, KEY) for name in ("12345热线", "网格平台")}
    for index, channel in enumerate(["12345", "12345", "网格", "12345", "网格"]):
        caller = "12345热线" if channel == "12345" else "网格平台"
        pushed = client.post(
            "/api/v1/cases",
            json={
                "data": {
                    "channel": channel,
                    "category": "物业纠纷",
                    "severity": "一般",
                    "location": {"town": "如城街道", "village": "东兴社区"},
                    "parties": [
                        {"name": f"业主{index}", "role": "申请人", "phone": f"1390000{index:04d}"}
                    ],
                    "summary": "小区物业费上涨引发业主集体不满",
                }
            },
            headers={"Authorization": f"Bearer {keys[caller]}"},
        )
        assert pushed.status_code == 201, pushed.text
        assert len(_ids(db)) == (1 if index == 4 else 0)
    assert login(client, "rucheng", PASSWORD) == 303
    listed = client.get("/prevention/warnings")
    assert "同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2" in listed.text
