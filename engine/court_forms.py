"""The court link's built-in forms and actions (诉调对接): what the court liaison fills in.

Built in like the 回告单's form (engine/diversion.py): every county that declares a court link
needs them, none has to write them. No engine imports here, so engine/diversion.py can add the
forms to the built-in ones without an import loop.
"""

from __future__ import annotations

from typing import Any

from dsl.model import Action, FormRef

TICKET_KIND = "court"  # the 法院跟踪单's ticket kind
TICKET_NAME = "法院跟踪单"
WAIT_STEP = "等待法院"  # the case's step while the court has it (诉讼 / 速裁)
CONFIRM_STEP = "待司法确认"  # the case's step while the agreement awaits confirmation

FILING_FORM = "法院立案登记"
HEARING_FORM = "法院开庭登记"
RESULT_FORM = "法院结果登记"
CONFIRMATION_FORM = "司法确认结果登记"
# the court's disposition of a hand-off, and of a confirmation request
CLOSE_WORD, SEND_BACK_WORD = "结案", "退回调解"
CONFIRMED_WORD, REFUSED_WORD = "确认有效", "不予确认"

FILE = Action(key="登记立案", name="登记法院立案", effect="complete", target=None, form=FILING_FORM)
HEARING = Action(
    key="登记开庭", name="登记开庭日期", effect="complete", target=None, form=HEARING_FORM
)
RESULT = Action(key="登记结果", name="登记法院结果", effect="close", target=None, form=RESULT_FORM)
CONFIRM = Action(
    key="登记确认结果", name="登记司法确认结果", effect="close", target=None, form=CONFIRMATION_FORM
)
HAND_OFF_ACTIONS = (FILE, HEARING, RESULT)
CONFIRMATION_ACTIONS = (CONFIRM,)


def _text(title: str, help_text: str, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "description": help_text,
        "minLength": low,
        "maxLength": high,
    }


def _form(name: str, required: list[str], properties: dict[str, Any]) -> FormRef:
    schema = {"type": "object", "title": name, "required": required, "properties": properties}
    return FormRef(name=name, path="", schema=schema)


FORMS = {
    FILING_FORM: _form(
        FILING_FORM,
        ["court_case_number", "filed_on"],
        {
            "court_case_number": _text("案号", "如：（2026）苏0682民初1234号", 2, 100),
            "filed_on": {"type": "string", "format": "date", "title": "立案日期"},
        },
    ),
    HEARING_FORM: _form(
        HEARING_FORM,
        ["hearing_on"],
        {"hearing_on": {"type": "string", "format": "date", "title": "开庭日期"}},
    ),
    RESULT_FORM: _form(
        RESULT_FORM,
        ["disposition", "result"],
        {
            "disposition": {
                "type": "string",
                "title": "处理结果",
                "description": "结案：案件办结；退回调解：法院退回中心继续调解，案件重新办理",
                "enum": [CLOSE_WORD, SEND_BACK_WORD],
            },
            "result": _text("法院结果", "如：调解结案、判决支持原告诉请、撤诉", 2, 500),
        },
    ),
    CONFIRMATION_FORM: _form(
        CONFIRMATION_FORM,
        ["decision"],
        {
            "decision": {
                "type": "string",
                "title": "确认结果",
                "description": "不予确认的，案件回到调解重新办理",
                "enum": [CONFIRMED_WORD, REFUSED_WORD],
            },
            "result": _text("说明", "如：裁定书编号、不予确认的理由", 0, 500),
        },
    ),
}
