"""What a browser submits for an HTML form: the successful controls of the first <form> (or of
a fragment), in document order, as (name, value) pairs (HTML, "constructing the entry list").

Used by the round-trip tests: render stored data, submit it unchanged, parse it back. Files are
never chosen here, so a file input contributes nothing (`forms` keeps the stored file through
the hidden reference fields)."""

from __future__ import annotations

from html.parser import HTMLParser

from starlette.datastructures import FormData

SKIPPED_TYPES = frozenset({"submit", "button", "reset", "image", "file"})


class _Entries(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[tuple[str, str]] = []
        self.select: dict[str, str | None] | None = None
        self.options: list[tuple[str, bool]] = []  # (value, selected) of the open <select>
        self.option: dict[str, str | None] | None = None
        self.option_text = ""
        self.textarea: dict[str, str | None] | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or "disabled" in a or kind in SKIPPED_TYPES:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            value = a.get("value")
            self.entries.append((name, value if value is not None else default))
        elif tag == "select":
            self.select, self.options = a, []
        elif tag == "option" and self.select is not None:
            self.option, self.option_text = a, ""
        elif tag == "textarea":
            self.textarea, self.textarea_text = a, ""

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self.option is not None:
            value = self.option.get("value")
            text = value if value is not None else " ".join(self.option_text.split())
            self.options.append((text, "selected" in self.option))
            self.option = None
        elif tag == "select" and self.select is not None:
            name = self.select.get("name")
            if name and "disabled" not in self.select:
                chosen = [v for v, selected in self.options if selected]
                if not chosen and self.options and "multiple" not in self.select:
                    chosen = [self.options[0][0]]  # a single select always sends something
                self.entries.extend((name, v) for v in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name = self.textarea.get("name")
            if name and "disabled" not in self.textarea:
                text = self.textarea_text
                text = text[1:] if text.startswith("\n") else text
                self.entries.append((name, text.replace("\r\n", "\n")))
            self.textarea = None


def entries(html: str) -> list[tuple[str, str]]:
    parser = _Entries()
    parser.feed(str(html))
    parser.close()
    return parser.entries


def submitted(html: str) -> FormData:
    """The form as the server receives it (a multidict, like `await request.form()`)."""
    return FormData(entries(html))
