"""xiaogan 孝感市: the five-ticket chain compiles to the County the engine runs."""

from pathlib import Path

import dsl
from dsl.model import Duration
from dsl.routing import route

ROOT = Path(__file__).resolve().parents[2] / "definitions"


def test_xiaogan_five_tickets_and_deadlines() -> None:
    county = dsl.compile_county(ROOT / "xiaogan")
    chain = county.processes[county.default_process]
    tickets = [s.ticket for s in chain.steps.values() if s.ticket]
    assert tickets == ["派单", "接单", "督办单", "评单", "核单"]  # 五单: 督办单 runs beside
    assert chain.start == "派单"
    assert chain.case_deadline is not None
    assert chain.case_deadline.allowed("一般", "镇") == Duration(3, "day")
    assert chain.case_deadline.allowed("较大", "县") == Duration(20, "day")
    overdue = [st for st in chain.case_deadline.stages if st.after_due == Duration(0, "day")]
    supervise = [e for st in overdue for e in st.effects if e.kind == "supervise"]
    assert [(e.role, e.at_level) for e in supervise] == [("督办员", "县")]
    assert county.intake_form == "受理登记"
    assert "parties" in county.forms["受理登记"].schema["properties"]


def test_xiaogan_routes_general_cases_to_the_town() -> None:
    county = dsl.compile_county(ROOT / "xiaogan")
    decision = route(county, "邻里纠纷", "一般", "朋兴村")
    assert decision is not None
    assert (decision.level, decision.office) == ("镇", "司法所")
    assert route(county, "劳动争议", "一般", "朋兴村").office == "劳动人事争议仲裁委"  # type: ignore[union-attr]
