"""The key-person register's pages (重点人员, engine/key_persons.py), beside 风险清单.

/prevention/persons               the register of the user's places, masked, overdue visits
                                  first; and a form to put a person on it (登记)
/prevention/persons/<id>          one record: in full (and written to the audit log) for the
                                  office responsible and the roles the county names in `可见`,
                                  masked for everyone else; visits, linked cases and risks
/prevention/persons/<id>/visit    record a visit (走访)

Refusals come back on the page in Chinese (422); a person outside the user's places or county
is a 404, the same answer as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin.auth import StaffUser, require_user
from admin.scope import county_model
from admin.web import database_form_page, database_page, render
from admin.workflow import refusal
from engine.errors import EngineError, NotFound
from engine.key_person_service import KeyPersons

NOT_YOURS = "没有这位重点人员，或其不在您的工作范围内。"
FIELDS = ("name", "id_number", "phone", "address", "place", "category", "office", "note")


def service(request: Request) -> Any:

    found = getattr(request.app.state, "key_persons", None)
    if found is None:
        found = KeyPersons(request.app.state.db, getattr(request.app.state, "clock", None))
        request.app.state.key_persons = found
    return found


def _text(submitted: FormData, name: str) -> str:
    value = submitted.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _list_page(request: Request, user: StaffUser, status: int = 200, **extra: Any) -> Response:
    model = county_model(request.app.state.db, user.county)
    declared = model is not None and model.key_persons is not None
    context = {
        "title": "重点人员",
        "tab": "persons",
        "declared": declared,
        "rows": service(request).register(user.principal()) if declared else [],
        "centers": list(model.centers.values()) if model else [],
        "categories": list(model.key_persons.categories) if declared else [],
        "offices": list(model.offices.values()) if model else [],
        "typed": {},
        **extra,
    }
    return render(request, "prevention_persons.html", context, status=status)


@database_page
def persons_list(request: Request) -> Response:
    return _list_page(request, require_user(request))


@database_form_page
def person_add(request: Request, submitted: FormData) -> Response:

    user = require_user(request)
    typed = {name: _text(submitted, name) for name in FIELDS}
    try:
        person_id = service(request).add(user.principal(), typed)
    except EngineError as exc:
        return _list_page(request, user, 422, alert=refusal(exc), typed=typed)
    return RedirectResponse(f"/prevention/persons/{person_id}?done=added", status_code=303)


def _record_page(
    request: Request, user: StaffUser, person_id: int, status: int = 200, **extra: Any
) -> Response:
    try:
        person = service(request).record(user.principal(), person_id)
    except NotFound as exc:
        raise HTTPException(404, NOT_YOURS) from exc
    except EngineError as exc:  # the county declares no register
        raise HTTPException(404, NOT_YOURS) from exc
    model = county_model(request.app.state.db, user.county)
    office = model.offices.get(person["office"]) if model else None
    context = {
        "title": f"重点人员 · {person['name']}",
        "tab": "persons",
        "person": person,
        "office_name": office.name if office else person["office"],
        **extra,
    }
    return render(request, "prevention_person.html", context, status=status)


@database_page
def person_page(request: Request) -> Response:
    return _record_page(request, require_user(request), int(request.path_params["item"]))


@database_form_page
def person_visit(request: Request, submitted: FormData) -> Response:

    user = require_user(request)
    person_id = int(request.path_params["item"])
    note = _text(submitted, "note")
    try:
        service(request).visit(user.principal(), person_id, note)
    except NotFound as exc:
        raise HTTPException(404, NOT_YOURS) from exc
    except EngineError as exc:
        return _record_page(request, user, person_id, 422, alert=refusal(exc), note=note)
    return RedirectResponse(f"/prevention/persons/{person_id}?done=visited", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/prevention/persons", persons_list, methods=["GET"]),
        Route("/prevention/persons", person_add, methods=["POST"]),
        Route("/prevention/persons/{item:id}", person_page, methods=["GET"]),
        Route("/prevention/persons/{item:id}/visit", person_visit, methods=["POST"]),
    ]
