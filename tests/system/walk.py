"""A day at the center over a real `yidi serve` (issue 18): xiaogan published, every role of its
demo at work (the demo's accounts, one per role and office), cases at every stage, a citizen who
evaluates by link and looks up progress, a 12345 call pushed through the API; then every page
each of them can reach from their own pages.

Shared by the browser test that reads every page's visible words and by the test that greps
the server's log for the secrets that went through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from admin.accounts import create_user
from admin.demo import plan
from tests.system.casework import dispatch, handle, publish, register, verify
from tests.system.conftest import PASSWORD, Deployment
from tests.system.deployment import Server
from tests.system.people import Staff
from tests.web.counties import xiaogan
from tests.web.flow import PHONE

CODE = re.compile(r"[A-Z]{2,}-\d{4}-\d{6}")
# Pages a walk never opens: signing out ends the walk, files are downloads, not pages.
SKIP = re.compile(
    r"^/(logout|static/|favicon|cases/[^/]+/files/)|/export/|/download|\.(csv|xlsx|json|pdf|svg)$"
)
PER_PAGE_KIND = 3  # /cases/<code>, /tickets/<id>/act/<action>: a few of each kind is enough


@dataclass
class Day:
    server: Server
    accounts: list[str]  # usernames, each one role (or office) of the demo
    codes: list[str]
    link: str  # the citizen's evaluation link (spent by the walk)
    secrets: dict[str, str] = field(default_factory=dict)  # what must never be logged


def demo_staff(deployment: Deployment) -> list[str]:
    """The xiaogan demo's accounts (one per role at the window's office and one per office,
    at the county center and the first town), with the deployment's password."""
    names = []
    for account in plan(xiaogan()):
        assert account.membership is not None
        username = f"demo_{account.username}"
        create_user(
            deployment.db,
            username,
            PASSWORD,
            display_name=account.display_name,
            county="xiaogan",
            memberships=[account.membership],
        )
        names.append(username)
    return names


def a_day(deployment: Deployment) -> Day:
    server = deployment.server(YIDI_LOG_LEVEL="info")
    admin = deployment.person(server, "admin")
    publish(admin)
    clerk = deployment.person(server, "clerk")
    dispatcher = deployment.person(server, "dispatcher")
    handler = deployment.person(server, "handler")
    evaluator = deployment.person(server, "evaluator")
    revisitor = deployment.person(server, "revisitor")
    closed, handled, dispatched, fresh = (register(clerk) for _ in range(4))
    for code in (closed, handled, dispatched):
        dispatch(dispatcher, code)
    for code in (closed, handled):
        handle(handler, code)
    spent = evaluation_link(evaluator, closed)
    citizen_evaluates(server, spent)
    if evaluator.action_url(closed, "评价完成"):
        evaluator.act(closed, "评价完成", {"score": "满意"})
    verify(revisitor, closed)
    link = evaluation_link(evaluator, handled)  # left for the walk to use
    caller = deployment.caller(server)
    from tests.system.casework import api_intake

    pushed = caller.push(api_intake())
    assert pushed.status_code in (200, 201), pushed.text
    staff = [clerk, dispatcher, handler, evaluator, revisitor, admin]
    secrets = {
        "密码": PASSWORD,
        "API 密钥": deployment.api_key,
        "评价令牌（已用）": spent.rsplit("/", 1)[1],
        "评价令牌": link.rsplit("/", 1)[1],
    }
    for person in staff:
        for name, value in person.http.cookies.items():
            secrets[f"{person.username} 的 Cookie {name}"] = value
    codes = [closed, handled, dispatched, fresh, pushed.json().get("code", "")]
    usernames = [p.username for p in staff] + demo_staff(deployment)
    return Day(server, usernames, [c for c in codes if c], link, secrets)


def evaluation_link(evaluator: Staff, code: str) -> str:
    token = evaluator.csrf(f"/cases/{code}")
    page = evaluator.http.post(f"/cases/{code}/evaluation-link", data={"csrf_token": token})
    found = re.search(r'id="evaluation-link" href="([^"]+)"', page.text)
    assert found, page.text[-2000:]
    return found.group(1)


def citizen_evaluates(server: Server, link: str) -> None:
    citizen = Staff(server.base, "", "")
    try:
        path = urlsplit(link).path
        citizen.post(path, {"score": "满意", "comment": "满意，谢谢"})
    finally:
        citizen.close()


def crawl(
    start: list[str], open_page: Callable[[str], list[str]], limit: int = 60
) -> Iterator[str]:
    """Every same-site page reachable from `start` (breadth first): `open_page` opens one and
    returns the links on it; yields each path opened."""
    seen: set[str] = set()
    kinds: dict[str, int] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        parts = urlsplit(path)
        if parts.netloc or SKIP.search(parts.path) or path in seen:
            continue
        kind = re.sub(r"/(\d+|[A-Z]{2,}-\d{4}-\d{6})(?=/|$)", "/*", parts.path)
        if kind != parts.path:
            kinds[kind] = kinds.get(kind, 0) + 1
            if kinds[kind] > PER_PAGE_KIND:
                continue
        seen.add(path)
        links = open_page(path)
        yield path
        queue.extend(link for link in links if link.startswith("/") and link not in seen)


def progress_lookup(code: str) -> dict[str, str]:
    return {"code": code, "phone": PHONE}
