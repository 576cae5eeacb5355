"""jsonschema's errors -> one Chinese message per problem, tied to the field it concerns.

Clerks never see jsonschema's English: every keyword has a message written with the field's
title ("请填写当事人姓名"), and format errors carry the specific reason from forms.formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from jsonschema import ValidationError

from forms.integers import foreign_digit
from forms.schema import Schema, SchemaDoc, first_type, is_const_choice
from forms.ui import UiHints

MB = 1024 * 1024
REUPLOAD = "请重新上传"


@dataclass(frozen=True)
class FieldError:
    path: str  # "parties/0/id_number"; "" for the form as a whole
    message: str


def join(parts: Iterable[Any]) -> str:
    return "/".join(str(p) for p in parts)


def size_text(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{max(1, size // 1024)} KB"


TYPE_WORDS = {
    "integer": "整数",
    "number": "数字",
    "string": "文字",
    "boolean": "是或否",
    "array": "列表",
    "object": "一组信息",
}
FORMAT_WORDS = {
    "cn-id-number": "身份证号格式不正确",
    "cn-mobile": "手机号码格式不正确",
    "cn-division-code": "行政区划代码格式不正确",
}


SIMPLE = {  # keyword -> message after the field title; {value} is the keyword's value
    "minimum": "不能小于 {value}",
    "maximum": "不能大于 {value}",
    "exclusiveMinimum": "必须大于 {value}",
    "exclusiveMaximum": "必须小于 {value}",
    "multipleOf": "必须是 {value} 的整数倍",
    "minLength": "至少填写 {value} 个字",
    "maxLength": "不能超过 {value} 个字",
    "minItems": "至少需要 {value} 项",
    "maxItems": "最多 {value} 项",
    "uniqueItems": "不能有重复项",
    "pattern": "格式不正确",
    "enum": "请从选项中选择",
    "const": "请从选项中选择",
    "additionalProperties": "包含表单以外的内容",
    "minProperties": "请至少填写一项",
    "maxProperties": "最多填写 {value} 项",
    "unevaluatedProperties": "包含表单以外的内容",
    "unevaluatedItems": "包含多余的项",
    "contains": "至少需要一项符合要求",
    "minContains": "至少需要 {value} 项符合要求",
    "maxContains": "最多 {value} 项符合要求",
    "propertyNames": "中有不符合要求的名称",
}


def names_error(error: ValidationError) -> bool:
    """Did the error come from checking a property name (`propertyNames`)?"""
    steps = list(error.absolute_schema_path)
    return any(
        step == "propertyNames" and (i == 0 or steps[i - 1] != "properties")
        for i, step in enumerate(steps)
    )


class FieldLookup(Protocol):
    def title(self, path: str) -> str: ...

    def schema_at(self, path: str) -> Schema | None: ...


class Messages:
    """Turns validation errors of one form into FieldErrors."""

    def __init__(self, doc: SchemaDoc, ui: UiHints, lookup: FieldLookup) -> None:
        self.doc = doc
        self.ui = ui
        self.title = lookup.title
        self._schema = lookup.schema_at

    def field_errors(self, errors: Iterable[ValidationError], data: Any) -> list[FieldError]:
        found: list[FieldError] = []
        for error in errors:
            for item in self.convert(error, data):
                if item not in found:
                    found.append(item)
        # An over-size or wrong-type file also lacks a digest: say only the specific reason.
        specific = {e.path for e in found if not e.message.startswith(REUPLOAD)}
        return [e for e in found if not (e.message.startswith(REUPLOAD) and e.path in specific)]

    def convert(self, error: ValidationError, data: Any) -> list[FieldError]:
        path = join(error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required":
            return [self._missing(path, name, error.instance) for name in self._absent(error)]
        if keyword == "dependentRequired":
            return [
                self._missing(path, need, error.instance)
                for name, needs in dict(error.validator_value).items()
                if isinstance(error.instance, dict) and name in error.instance
                for need in needs
                if need not in error.instance
            ]
        if keyword in ("oneOf", "anyOf") and error.context:
            return self._branch(error, data)
        if names_error(error):  # the error is about a property's name, not a field's value
            keyword = "propertyNames"
        custom = self.ui.hint(path).get("messages", {}).get(keyword)
        if custom:
            return [FieldError(path, str(custom))]
        if keyword == "propertyNames":
            return [FieldError(path, f"「{self.title(path)}」" + SIMPLE[keyword])]
        return [FieldError(*self._attachment(path, error) or (path, self._text(path, error)))]

    def _absent(self, error: ValidationError) -> list[str]:
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [n for n in error.validator_value if n not in instance]

    def _missing(self, path: str, name: str, instance: Any) -> FieldError:
        child = f"{path}/{name}" if path else name
        custom = self.ui.hint(child).get("messages", {}).get("required")
        if custom:
            return FieldError(child, str(custom))
        verb = self._verb(child)
        return FieldError(child, f"请{verb}{self.title(child)}")

    def _verb(self, path: str) -> str:
        node = self._schema(path) or {}
        kind = self.doc.kind(node)
        if kind == "file":
            return "上传"
        if kind in ("choice", "boolean") or (
            kind == "array" and self.doc.kind(self.doc.resolve(node.get("items", {}))) == "choice"
        ):
            return "选择"
        return "填写"

    def _branch(self, error: ValidationError, data: Any) -> list[FieldError]:
        """A oneOf/anyOf of shapes: report the errors of the branch the user picked."""
        node = self.doc.resolve(error.schema)
        options = self.doc.shape_options(node)
        path = join(error.absolute_path)
        if is_const_choice(node.get(str(error.validator))):
            return [FieldError(path, f"「{self.title(path)}」请从选项中选择")]
        if not options:
            return [FieldError(path, f"「{self.title(path)}」填写不正确")]
        chosen = self.doc.guess_shape(options, error.instance)
        if chosen is None:
            where = f"{path}/_shape" if path else "_shape"
            return [FieldError(where, f"请选择{self.title(path)}的类型")]
        picked = [e for e in error.context or [] if e.relative_schema_path[0] == chosen]
        if not picked:
            return [FieldError(path, f"「{self.title(path)}」与所选类型不符")]
        return self.field_errors(picked, data)

    def _attachment(self, path: str, error: ValidationError) -> tuple[str, str] | None:
        parent, _, leaf = path.rpartition("/")
        node = self._schema(parent) if leaf in ("size", "content_type", "sha256") else None
        if not (isinstance(node, dict) and "x-attachment" in node):
            return None
        title = self.title(parent)
        if leaf == "size" and error.validator == "maximum":
            return parent, f"「{title}」文件过大，不能超过 {size_text(int(error.validator_value))}"
        if leaf == "size" and error.validator == "minimum":
            return parent, f"「{title}」是空文件，请重新选择"
        if leaf == "content_type" and error.instance:  # "" is an empty file: said by its size
            return parent, f"「{title}」的文件类型不允许，请上传 {self._accepted(node)} 文件"
        return parent, f"{REUPLOAD}{title}"

    def _accepted(self, node: dict[str, Any]) -> str:
        accept = node["properties"]["content_type"].get("x-accept", [])
        return "、".join(a.split("/")[-1].upper().replace("*", "图片") for a in accept)

    def _text(self, path: str, error: ValidationError) -> str:
        title = self.title(path)
        keyword, value = str(error.validator), error.validator_value
        if keyword == "format":
            cause = str(error.cause) if error.cause else FORMAT_WORDS.get(value, "格式不正确")
            return f"{cause}" if str(value).startswith("cn-") else f"「{title}」{cause}"
        if (
            keyword in ("const", "enum")
            and isinstance(error.schema, dict)
            and first_type(error.schema) == "boolean"
        ):
            return f"请勾选{title}"
        picks = keyword == "minItems" and self.doc.kind(
            self.doc.resolve(
                error.schema.get("items", {}) if isinstance(error.schema, dict) else {}
            )
        )
        if picks == "choice":
            return f"「{title}」至少选择 {value} 项"
        if keyword in SIMPLE:
            return f"「{title}」" + SIMPLE[keyword].format(value=value)
        if keyword == "type":
            wanted = first_type({"type": value}) or "string"
            odd = foreign_digit(error.instance) if isinstance(error.instance, str) else None
            if wanted in ("integer", "number") and odd is not None:
                return f"「{title}」请用数字 0-9 填写（「{odd}」不是可用的数字）"
            return f"「{title}」必须填写{TYPE_WORDS.get(wanted, '正确的值')}"
        return f"「{title}」填写不正确"
