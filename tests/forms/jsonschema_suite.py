"""Running the official JSON Schema Test Suite (draft 2020-12) through yidi's forms.

Each case's schema becomes a property of an object form, `{"value": <case schema>}`, and each
test's data is submitted as `{"value": <data>}` through `forms.load_form` and `Form.validate`,
the path every submission takes (engine/formcheck.py, admin/intake.py, the console preview).
The case schema gets its own `$id` (when it has none) so that `#` and `#/$defs/…` inside it
mean the case schema, as in the suite, and not the form around it.

Outcomes:
- "remote": the case needs a schema from another document (the suite's localhost:1234
  server, or the official metaschema by URL). Forms refuse references outside their own file;
  the test checks the refusal, then skips with the URI as the reason.
- format.json: yidi asserts formats (the format-assertion behaviour) and refuses formats it
  does not check. So "invalid … string is only an annotation by default" is expected to be
  refused for a format forms accept, and a form naming any other format is refused as a
  definition.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import forms
from forms.form import FormDefinitionError

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
# The formats forms/ checks; every other format is refused by design.
ACCEPTED_FORMATS = frozenset(
    {"date", "time", "date-time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uuid"}
    | {"data-url", "cn-id-number", "cn-mobile", "cn-division-code"}
)
ANNOTATION_ONLY = "only an annotation by default"
CJK = re.compile(r"[\u4e00-\u9fff]")


def suite_root() -> Path:
    """`../shared/jsonschema-suite` beside the clone (CI), searched upwards from the repo root
    so that a git worktree one level deeper finds it too."""
    repo = Path(__file__).resolve().parents[2]
    for parent in [repo, *repo.parents]:
        candidate = parent / "shared" / "jsonschema-suite" / "draft2020-12"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"JSON Schema Test Suite not found in ../shared beside {repo}")


@dataclass(frozen=True)
class SuiteTest:
    keyword: str  # the suite file: additionalProperties, ref, format, …
    case: int
    index: int
    description: str
    schema: Any
    data: Any
    valid: bool

    @property
    def id(self) -> str:
        return f"{self.keyword}-{self.case}-{self.index}"


@cache
def load(folder: str = "") -> tuple[SuiteTest, ...]:
    found = []
    for path in sorted((suite_root() / folder).glob("*.json")):
        for case_index, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            for index, test in enumerate(case["tests"]):
                found.append(
                    SuiteTest(
                        path.stem,
                        case_index,
                        index,
                        f"{case['description']} / {test['description']}",
                        case["schema"],
                        test["data"],
                        bool(test["valid"]),
                    )
                )
    return tuple(found)


def form_schema(test: SuiteTest) -> dict[str, Any]:
    schema = test.schema
    if isinstance(schema, dict) and "$id" not in schema:
        schema = {"$id": f"https://yidi.invalid/suite/{test.keyword}/{test.case}.json", **schema}
    return {"type": "object", "properties": {"value": schema}, "required": ["value"]}


def remote_uri(schema: Any) -> str | None:
    """The first reference (or metaschema) the case takes from outside its own document."""
    ids: set[str] = set()
    refs: list[str] = []

    def walk(node: Any, base: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, base)
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
            ids.add(urldefrag(base)[0])
        for keyword in ("$ref", "$dynamicRef"):
            if isinstance(node.get(keyword), str):
                ref = node[keyword]
                # urljoin leaves a bare fragment alone under a URN base: it means the base
                refs.append(urldefrag(base if ref.startswith("#") else urljoin(base, ref))[0])
        declared = node.get("$schema")
        if isinstance(declared, str) and declared.rstrip("#") != DRAFT_2020_12:
            refs.append(declared)
        for key, value in node.items():
            if key not in ("const", "enum", "default", "examples"):
                walk(value, base)

    walk(schema, "")
    return next((uri for uri in refs if uri not in ids), None)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "pass", "remote", "refused-format", or "fail"
    detail: str = ""


def run(test: SuiteTest) -> Outcome:
    """One suite test through load_form + Form.validate; what happened, checked."""
    schema = form_schema(test)
    name = f"suite-{test.keyword}-{test.case}"
    remote = remote_uri(schema)
    fmt = test.schema.get("format") if isinstance(test.schema, dict) else None
    if remote is not None or (test.keyword == "format" and fmt not in ACCEPTED_FORMATS):
        try:
            forms.load_form(schema, name=name)
        except FormDefinitionError as error:
            text = str(error)
            if remote is not None and ("只支持本文件内的 $ref" in text or "2020-12" in text):
                return Outcome("remote", remote or "")
            if "未知的格式" in str(error):
                return Outcome("refused-format", str(fmt))
            return Outcome("fail", f"refused with an unexpected reason: {error}")
        return Outcome("fail", "a remote reference or unknown format was accepted")
    expected = test.valid
    if test.keyword == "format" and ANNOTATION_ONLY in test.description:
        expected = False  # yidi asserts the formats it accepts
    try:
        errors = forms.load_form(schema, name=name).validate({"value": test.data})
    except FormDefinitionError as error:
        return Outcome("fail", f"refused: {error}")
    if (not errors) != expected:
        return Outcome("fail", f"expected valid={expected}, got {errors}")
    english = [e.message for e in errors if not CJK.search(e.message)]
    if english:
        return Outcome("fail", f"messages without Chinese: {english}")
    return Outcome("pass")


def validated_column() -> dict[str, str]:
    """The 'validated' column of docs/forms.md for every suite file, from the outcomes."""
    kinds: dict[str, set[str]] = {}
    for test in load():
        kinds.setdefault(test.keyword, set()).add(run(test).kind)
    return {keyword: status(found) for keyword, found in kinds.items()}


def status(kinds: set[str]) -> str:
    if "fail" in kinds:
        return "no"
    if kinds == {"remote"}:
        return "remote only (refused)"
    if "refused-format" in kinds:
        return "yes (formats asserted; unknown refused)"
    if "remote" in kinds:
        return "yes (remote refs refused)"
    return "yes"
