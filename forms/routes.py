"""Web routes of forms/ (htmx fragments), mounted by server.py under /forms.

POST /forms/{key}/refresh re-renders the fields of a form from the values the browser has so
far, after applying a row button (_op=add:parties, remove:parties/1): this is how rows are
added and removed and how conditional sections and shapes appear without a full reload. The
key is the form's content hash: only forms loaded on the server can be named, and the browser
never sends a schema. Nothing is stored here, so no CSRF token is needed.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from forms.attachments import AttachmentStore, safe_filename
from forms.form import form_by_key
from forms.parse import first_text, raw_tree

MAX_REFRESH_FIELDS = 2000  # a refresh with more fields than any form has is not a form


async def refresh(request: Request) -> Response:
    form = form_by_key(request.path_params["key"])
    if form is None:
        return HTMLResponse(
            '<p class="yf-error" role="alert">表单版本已更新或已失效，请刷新页面后重新填写。</p>',
            status_code=404,
        )
    # Files chosen so far are not kept across a refresh (nothing is stored here).
    async with request.form(max_files=20, max_fields=MAX_REFRESH_FIELDS) as submitted:
        action = first_text(raw_tree(submitted).get("_op"))
        data = form.parse_submission(submitted)
    if action:
        data = form.apply_action(data, action)
    return HTMLResponse(form.render_body(data, refresh_url=str(request.url.path)))


def download_response(store: AttachmentStore, sha256: str, filename: str) -> Response:
    """Serve a stored attachment as a download only: never rendered inline by the browser,
    whatever its bytes are. The web app calls this after checking the viewer may see it."""
    try:
        stream = store.open(sha256)
    except KeyError:
        return HTMLResponse("<p>附件不存在</p>", status_code=404)
    name = safe_filename(filename)
    headers = {
        "Content-Disposition": f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }

    def chunks() -> object:
        with stream:
            while block := stream.read(64 * 1024):
                yield block

    return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)  # type: ignore[arg-type]


def routes() -> list[BaseRoute]:
    return [Route("/{key:str}/refresh", refresh, methods=["POST"])]
