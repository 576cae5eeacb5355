"""What the engine raises when it refuses: the web app shows the Chinese message as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class FieldProblem(Protocol):
    """forms.messages.FieldError or anything shaped like it."""

    @property
    def path(self) -> str: ...

    @property
    def message(self) -> str: ...


class EngineError(Exception):
    """Base of the engine's refusals; `message` is the Chinese text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionRefused(EngineError):
    """The action is not allowed now (already handled, not yours, wrong state, bad target)."""


class NotFound(ActionRefused):
    """The case, ticket or county does not exist or is not visible to the actor."""


class ValidationFailed(EngineError):
    """The submitted form data is invalid; `field_errors` lists each problem by field path."""

    def __init__(self, field_errors: Sequence[FieldProblem], message: str = "表单内容有误") -> None:
        super().__init__(message + "：" + "；".join(e.message for e in field_errors[:5]))
        self.field_errors = list(field_errors)


class NoWorkingDay(ActionRefused, ValueError):
    """A deadline cannot be worked out: the county's calendar has no working day ahead (days
    off declared for years by mistake, or a date at the end of the calendar). A ValueError
    too, for callers of engine.calendar that catch those."""
