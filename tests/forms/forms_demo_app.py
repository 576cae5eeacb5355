"""A small Starlette app for the forms browser tests: one demo form page that posts back to
itself, the /forms htmx routes, the static files, and a strict CSP (no inline script or style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import forms
from forms import routes as form_routes

HERE = Path(__file__).parent
STATIC = HERE.parent.parent / "admin" / "static"
SCHEMA = HERE / "schemas" / "intake.json"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
CSRF = "test-csrf-token"

env = Environment(
    loader=FileSystemLoader([HERE / "templates", forms.templates_dir]),
    autoescape=select_autoescape(default=True),
)
forms.install_filters(env)


def make_app(
    attachment_root: Path,
    schema: Path | dict[str, Any] = SCHEMA,
    stored: dict[str, Any] | None = None,
    ui: dict[str, Any] | None = None,
) -> Starlette:
    """stored: the record being edited (the form shows it, parsing keeps its read-only
    fields and files); without it, a new record."""
    form = forms.load_form(schema, ui, name="intake")
    store = forms.AttachmentStore(attachment_root)
    saved: list[dict[str, Any]] = []

    def page(body: Any, status: int = 200) -> Response:
        html = env.get_template("page.html").render(title=form.title(), body=body)
        return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": CSP})

    async def show_form(request: Request) -> Response:
        return page(form.render(stored, action="/", csrf_token=CSRF))

    async def submit(request: Request) -> Response:
        async with request.form() as submitted:
            return handle(submitted)

    def handle(submitted: Any) -> Response:
        if submitted.get("csrf_token") != CSRF:
            return page("<p>请求已过期，请刷新页面</p>", 403)
        uploads = forms.Uploads(store, owner=CSRF)  # the demo's one session
        data = form.parse_submission(submitted, previous=stored, attachments=uploads)
        action = submitted.get("_op")
        if isinstance(action, str) and action:  # a row button with JavaScript off
            return page(form.render(form.apply_action(data, action), action="/", csrf_token=CSRF))
        errors = form.validate(data)
        if errors:
            return page(form.render(data, errors, action="/", csrf_token=CSRF), 422)
        saved.append(data)
        uploads.commit(data)
        return RedirectResponse(f"/saved/{len(saved) - 1}", status_code=303)

    async def show_saved(request: Request) -> Response:
        index = request.path_params["index"]
        if index >= len(saved):
            return page("<p>没有这条记录</p>", 404)
        reveal = request.query_params.get("reveal") == "1"
        return page(form.display(saved[index], reveal_sensitive=reveal))

    app = Starlette(
        routes=[
            Route("/", show_form, methods=["GET"]),
            Route("/", submit, methods=["POST"]),
            Route("/saved/{index:int}", show_saved),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/forms", routes=form_routes.routes()),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
    app.state.saved = saved
    return app
