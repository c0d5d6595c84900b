"""Every URL of the project, found by walking the resolver, against one declared table of outcomes.

For each URL the walk builds real arguments from a seeded world (``url_world.ARGUMENTS``, keyed by
argument name) and requests GET and POST as: nobody signed in, each role of the workgroup, a member of
another workgroup, and that other workgroup's coordinator using this workgroup's object ids under
their own workgroup's address. It checks, per request:

* the status the table declares (``url_table.TABLE``): allowed, 403, 404, 405, or a sign-in redirect;
* nothing of the other workgroup in any page of ours, and nothing of ours in the outsider's answers;
* a GET never writes a row of any table (the statements it sends are captured; the session store
  and the sign-in throttle are not workgroup data and are left out);
* a refused request writes nothing either;
* the membership is read at most once per request.

Each request runs in a savepoint that is rolled back, so every request sees the same world.
A URL without an entry in the table, a table entry without a URL, or an argument name without a
builder fails the suite.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from toolkit.tests.url_table import TABLE, Expect, expectation
from toolkit.tests.url_world import ARGUMENTS, ROLES, ROUTE_ARGUMENTS, SECRET, World, argument, build_world

pytestmark = pytest.mark.django_db

OBJECT_ARGUMENTS = {name for name in ARGUMENTS if name.endswith("_id") or name in {"link_token", "invitation_token"}}
ADMIN_ARGUMENTS = {"app_label", "object_id", "content_type_id", "id", "url"}
POST_OK = {200, 204, 302, 400, 409}  # 204: the session keep-alive
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
_NOT_DATA = re.compile(r'"(django_session|axes_[a-z_]+)"')
_MEMBERSHIP_READ = re.compile(r'FROM "toolkit_membership".*WHERE.*"toolkit_membership"\."user_id" = ', re.S)
RECORD = os.environ.get("TOOLKIT_URL_MATRIX_RECORD")


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", the table's key
    arguments: tuple[str, ...]
    path: str  # the route as written, e.g. "w/<slug:slug>/jobs/<int:job_id>/"
    fixed_path: str | None = None  # for the one unnamed route (the admin's catch-all)
    positional: int = 0  # unnamed groups (django-simple-history's admin route): filled with "1"

    @property
    def area(self) -> str:
        return self.key.split(":", 1)[0] if ":" in self.key else "site"

    @property
    def in_workgroup(self) -> bool:
        """Pages under /w/<slug>/: people outside the workgroup get 404 there."""
        return self.path.startswith("w/<slug:slug>/")

    def url(self, world: World, workgroup, *, ids_from=None) -> str:
        if self.fixed_path:
            return self.fixed_path
        if self.positional:  # only admin routes have them; the admin sends non-staff away before any look-up
            return reverse(self.key, args=["1"] * self.positional)
        kwargs = {}
        for name in self.arguments:
            source = ids_from if (ids_from is not None and name != "slug") else workgroup
            kwargs[name] = argument(world, self.key, name, source)
        return reverse(self.key, kwargs=kwargs)


def _walk(patterns, namespace: str = "", prefix: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
            outer_arguments = list(entry.pattern.regex.groupindex)
            routes += [
                Route(route.key, tuple(dict.fromkeys(outer_arguments + list(route.arguments))), route.path,
                      route.fixed_path, route.positional)
                for route in _walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            ]
        elif isinstance(entry, URLPattern):
            arguments = tuple(entry.pattern.regex.groupindex)
            path = prefix + str(entry.pattern)
            positional = entry.pattern.regex.groups - len(arguments)
            if entry.name:
                routes.append(Route(f"{namespace}:{entry.name}" if namespace else entry.name, arguments, path,
                                    positional=positional))
            else:  # Django's admin catch-all, the only unnamed route
                routes.append(Route(f"{namespace}:<unnamed {entry.pattern}>", arguments, path,
                                    fixed_path="/admin/nowhere/"))
    return routes


ROUTES = _walk(get_resolver().url_patterns)
AREAS = sorted({route.area for route in ROUTES})


def test_every_url_has_a_declared_outcome_and_every_declaration_a_url():
    keys = {route.key for route in ROUTES}

    assert sorted(key for key in keys if expectation(key) is None) == [], "declare these URLs in url_table.py"
    assert sorted(TABLE.keys() - keys) == [], "these table entries name no URL any more"


def test_every_url_argument_can_be_built_from_the_world():
    unknown = sorted({(name, route.key) for route in ROUTES for name in route.arguments if name not in ARGUMENTS})

    assert unknown == [], "add a builder for these argument names to toolkit/tests/url_world.ARGUMENTS"
    routes = {route.key: set(route.arguments) for route in ROUTES}
    stale = sorted((key, name) for key, names in ROUTE_ARGUMENTS.items() for name in names
                   if name not in routes.get(key, set()))
    assert stale == [], "these ROUTE_ARGUMENTS name a route or an argument that does not exist"


def test_the_walk_reaches_every_app():
    assert {"toolkit", "partners", "readiness", "agreements", "triage", "incidents", "admin", "site"} <= set(AREAS)
    assert len(ROUTES) > 150


# --- Requests ----------------------------------------------------------------------------


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def _request(client: Client, method: str, url: str):
    """One request inside a savepoint that is rolled back afterwards; returns (response, statements).

    The client's cookies are put back too, so signing out (or a session rotated) lasts one request."""
    cookies = copy.deepcopy(client.cookies)
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, {})
                raise _Rollback(response)
        except _Rollback as done:
            response = done.response
    client.cookies = cookies
    return response, [q["sql"] for q in queries.captured_queries]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode("utf-8", errors="replace")


# The one write a GET may make: an audit row recording a read of confidential data (toolkit.audit.record_access).
_ACCESS_AUDIT = re.compile(r'^\s*INSERT INTO "toolkit_auditevent".*\b(viewed|exported|downloaded)\b', re.S)


def _writes(statements: list[str]) -> list[str]:
    return [sql[:160] for sql in statements
            if _WRITE.match(sql) and not _NOT_DATA.search(sql) and not _ACCESS_AUDIT.match(sql)]


@dataclass
class Check:
    route: Route
    who: str
    method: str
    url: str
    problems: list[str]

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(f"{self.route.key} {self.method} as {self.who} ({self.url}): {message}")


def _expected(expect: Expect, who: str, method: str, *, route: Route) -> set[int] | str:
    """The statuses allowed for this person and method, or "login"/"admin-login" for a redirect."""
    if who == "anonymous":
        if expect.anonymous != "open":
            return expect.anonymous
        if method not in expect.methods:
            return {405}
        return expect.ok if method == "GET" else POST_OK
    if who == "outsider" and route.in_workgroup:
        return {404}
    if who in expect.not_found and method in expect.methods:
        return {404}
    allowed = expect.get if method == "GET" else expect.post
    if who not in allowed:
        return {403} if route.in_workgroup else expect.refused
    if method not in expect.methods:
        return {405}
    return expect.ok if method == "GET" else POST_OK


def _check_status(check: Check, response, expected) -> None:
    status = response.status_code
    if expected in ("login", "admin-login"):
        target = "/accounts/login/" if expected == "login" else "/admin/login/"
        check.expect(status == 302 and response["Location"].startswith(target),
                     f"expected a redirect to {target}, got {status} {response.get('Location', '')}")
    elif isinstance(expected, int):
        check.expect(status == expected, f"expected {expected}, got {status}")
    elif isinstance(expected, tuple):  # (302, "/where/"): a redirect somewhere else
        check.expect(status == expected[0] and response.get("Location", "").startswith(expected[1]),
                     f"expected a redirect to {expected[1]}, got {status} {response.get('Location', '')}")
    else:
        check.expect(status in expected, f"expected {sorted(expected)}, got {status}")


def _clients(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for who in [*ROLES, "outsider"]:
        clients[who] = Client()
        clients[who].force_login(world.people[who])
    return clients


def _walk_area(world: World, area: str, record: dict) -> list[str]:
    problems: list[str] = []
    clients = _clients(world)
    for route in [r for r in ROUTES if r.area == area]:
        expect = expectation(route.key) or (Expect() if RECORD else None)
        if expect is None:
            continue  # reported by test_every_url_has_a_declared_outcome...
        try:
            url = route.url(world, world.ours)
        except (KeyError, LookupError) as exc:
            problems.append(f"{route.key}: cannot build its arguments ({exc})")
            continue
        for who, client in clients.items():
            for method in ("GET", "POST"):
                response, statements = _request(client, method, url)
                record[route.key][f"{who} {method}"] = (
                    f"{response.status_code} {response.get('Location', '')}".strip())
                check = Check(route, who, method, url, problems)
                _check_status(check, response, _expected(expect, who, method, route=route))
                _check_no_leak_and_no_write(check, response, statements, world)
        if route.in_workgroup and set(route.arguments) & OBJECT_ARGUMENTS:
            cross = route.url(world, world.theirs, ids_from=world.ours)
            for method in ("GET", "POST"):
                response, statements = _request(clients["outsider"], method, cross)
                check = Check(route, "their coordinator with our ids", method, cross, problems)
                # A method the URL never accepts is refused before any look-up, the same for every id.
                expected = 404 if method in expect.methods else 405
                check.expect(response.status_code == expected, f"expected {expected}, got {response.status_code}")
                check.expect(not _writes(statements), f"wrote {_writes(statements)}")
    return problems


def _check_no_leak_and_no_write(check: Check, response, statements: list[str], world: World) -> None:
    status = response.status_code
    body = _body(response) if status != 302 else ""
    if check.who in ROLES or check.who == "anonymous":
        check.expect(SECRET not in body, "shows the other workgroup's data")
    elif check.route.in_workgroup:
        check.expect(world.ours.name not in body, "shows our workgroup to an outsider")
    sent_to_sign_in = status == 302 and "login/" in response.get("Location", "")
    refused = status in {403, 404, 405} or sent_to_sign_in
    if check.method == "GET" or refused:
        writes = _writes(statements)
        check.expect(not writes, f"wrote during a {'GET' if check.method == 'GET' else 'refused POST'}: {writes}")
    if check.method == "GET" and check.who != "anonymous":
        reads = [sql for sql in statements if _MEMBERSHIP_READ.search(sql)]
        check.expect(len(reads) <= 1, f"read the membership {len(reads)} times")


@pytest.mark.parametrize("area", AREAS)
def test_every_url_answers_everyone_as_declared(area):
    world = build_world()
    record: dict = defaultdict(dict)

    problems = _walk_area(world, area, record)

    if RECORD:
        path = f"{RECORD}.{area}.json"
        with open(path, "w") as out:
            json.dump({"statuses": record, "problems": problems}, out, indent=1, sort_keys=True)
    assert problems == [], f"{len(problems)} problem(s):\n" + "\n".join(problems[:80])
