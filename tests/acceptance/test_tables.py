"""Data tables become form data by the form's titles and keys."""

from __future__ import annotations

import pytest

from features.steps.tables import TableError, form_data, rows_of

SCHEMA = {
    "type": "object",
    "properties": {
        "place": {
            "type": "object",
            "title": "纠纷发生地",
            "properties": {"town": {"type": "string", "title": "乡镇"}},
        },
        "amount": {"type": "number", "title": "涉及金额"},
        "agreed": {"type": "boolean", "title": "达成协议"},
        "tags": {"type": "array", "title": "标签", "items": {"type": "string"}},
        "parties": {"type": "array", "title": "当事人", "items": {"$ref": "#/$defs/party"}},
    },
    "$defs": {
        "party": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "姓名"},
                "role": {"type": "string", "title": "身份", "enum": ["申请人", "被申请人"]},
                "phone": {"type": "string", "title": "电话", "format": "cn-mobile"},
                "id_number": {"type": "string", "title": "身份证号"},
            },
        }
    },
}


def test_rows_fill_nested_typed_and_repeated_fields() -> None:
    table = [
        ["字段", "值"],
        ["纠纷发生地.乡镇", "书院街道"],
        ["amount", "1200.5"],
        ["达成协议", "是"],
        ["标签", "漏水，邻里"],
        ["当事人", "张三，被申请人，13800001111，420902199001011234"],
        ["当事人", "姓名=李四，电话=13900002222"],
        ["地点", "书院社区"],
    ]
    data, unknown = form_data(rows_of(table), SCHEMA, "x")
    assert data == {
        "place": {"town": "书院街道"},
        "amount": 1200.5,
        "agreed": True,
        "tags": ["漏水", "邻里"],
        "parties": [
            {
                "name": "张三",
                "role": "被申请人",
                "phone": "13800001111",
                "id_number": "420902199001011234",
            },
            {"name": "李四", "phone": "13900002222"},
        ],
    }
    assert unknown == [("地点", "书院社区")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["涉及金额", "很多"], "「涉及金额」应是数字，却是「很多」"),
        (["达成协议", "也许"], "「达成协议」应写 是 或 否，却是「也许」"),
        (["当事人", "年龄=30"], "「当事人」没有字段「年龄」"),
        (["只有一列"], "表格第 1 行应有两列"),
    ],
)
def test_bad_rows_say_what_is_wrong(row: list[str], message: str) -> None:
    with pytest.raises(TableError, match=message):
        form_data(rows_of([row]), SCHEMA, "x")
