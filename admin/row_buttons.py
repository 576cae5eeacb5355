"""Row buttons without JavaScript: a form with arrays (parties) renders "add a row" / "remove
this row" as submit buttons named `_op` ("add:parties", "remove:parties/1"). With htmx they
post to forms' refresh endpoint; with JavaScript off they post the whole form to the page's
own URL, and the page answers here: the same form again with the row added or removed, the
values as typed, no validation errors and nothing stored (files chosen so far are not kept,
as with the htmx refresh)."""

from __future__ import annotations

from typing import Any

import forms
from forms.parse import first_text, raw_tree


def pressed(submitted: Any) -> str:
    """The row button that sent the form ("" for the real submit button)."""
    return first_text(raw_tree(submitted).get("_op"))


def applied(form: forms.Form, submitted: Any) -> dict[str, Any] | None:
    """The form's data with the pressed row button applied, or None when none was pressed."""
    button = pressed(submitted)
    if not button:
        return None
    return form.apply_action(form.parse_submission(submitted), button)
