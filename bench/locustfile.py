"""Journeys of coordinators, legal reviewers and QA reviewers, for locust (run by bench/load.py).

Each simulated person signs in through the sign-in form (its CSRF token, a password alone: the load workgroup
does not ask for two-step sign-in), then opens the pages of their role, weighted, with 1–3 s between pages.
``LOAD_PLAN`` names the JSON file bench/load.py writes: the workgroup, the accounts and ids to open.

gunicorn runs with production settings (HTTPS only, secure cookies) on plain http on loopback, so this file
does what the TLS proxy in front of gunicorn does in production: it says ``X-Forwarded-Proto: https`` (trusted
from 127.0.0.1), keeps the session's secure cookies on the loopback connection, and opens a connection per
request.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

import gevent
from load_pages import JOURNEYS, PAGES, path_for
from locust import HttpUser, between

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_account = {role: itertools.count() for role in JOURNEYS}
_plan: dict | None = None
_signed_in = itertools.count(1)
SIGN_IN_PAGES = (("sign-in form", "GET", "/accounts/login/"), ("sign-in", "POST", "/accounts/login/"))


def plan() -> dict:
    global _plan
    if _plan is None:
        with open(os.environ["LOAD_PLAN"]) as handle:
            _plan = json.load(handle)
    return _plan


class _Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-Proto"] = "https"
        # A new connection for every request, as a proxy in front of gunicorn opens by default (nginx speaks
        # HTTP/1.0 to its upstream). Kept connections race gunicorn's 2 s keep-alive against the 1–3 s between
        # pages: a request sent as gunicorn closes the idle connection is reset, which a browser would retry.
        self.client.headers["Connection"] = "close"
        data = plan()
        accounts = data["accounts"][self.role]
        self.email = accounts[next(_next_account[self.role]) % len(accounts)]
        self.sign_in(data)

    def keep_secure_cookies(self) -> None:
        """The session and CSRF cookies are Secure, and requests sends those over https only; here the
        connection to the TLS proxy is what would be https, so the cookies are kept for plain http."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def sign_in(self, data: dict) -> None:
        home = f"/w/{data['slug']}/"
        form = self.client.get("/accounts/login/", name="sign-in form")
        self.keep_secure_cookies()
        token = CSRF_FIELD.search(form.text)
        origin = self.host.replace("http://", "https://")
        with self.client.post(
            "/accounts/login/", name="sign-in",
            data={"username": self.email, "password": data["password"], "next": home,
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Origin": origin, "Referer": f"{origin}/accounts/login/"}, catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != home:
                response.failure(f"not signed in: {_outcome(response)}")
        self.keep_secure_cookies()
        if next(_signed_in) == self.environment.parsed_options.num_users:
            self.everyone_signed_in()

    def everyone_signed_in(self) -> None:
        """With LOAD_MEASURE_AFTER_SIGN_IN=<seconds> (bench/load.py --after-sign-in), the pages are measured
        from the moment the last person is signed in, for that long: a burst of 50 sign-ins (each a
        deliberately slow password hash) then weighs on the sign-in figures alone, kept in LOAD_SIGN_IN_STATS."""
        seconds = int(os.environ.get("LOAD_MEASURE_AFTER_SIGN_IN") or 0)
        if not seconds:
            return
        stats = self.environment.stats
        kept = {}
        for name, method, _ in SIGN_IN_PAGES:
            entry = stats.get(name, method)
            kept[name] = {"requests": entry.num_requests, "failures": entry.num_failures,
                          "rps": entry.total_rps, "max": entry.max_response_time,
                          **{p: entry.get_response_time_percentile(q) for p, q in
                             (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}}
        with open(os.environ["LOAD_SIGN_IN_STATS"], "w") as handle:
            json.dump(kept, handle)
        stats.reset_all()
        gevent.spawn_later(seconds, self.environment.runner.quit)

    def open(self, page: str) -> None:
        path = path_for(page, plan(), self.role, random.choice)
        with self.client.get(path, name=page, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(_outcome(response))
        self.keep_secure_cookies()  # the session cookie is sent again when the session changes


def _outcome(response) -> str:
    """The status and where it sent us; or, when no answer came (status 0), the connection's error."""
    if response.status_code == 0:
        return f"no answer: {type(response.error).__name__}: {response.error}"
    return f"{response.status_code} {response.headers.get('Location', '')}".strip()


def _task(page: str):
    def open_page(user: _Person) -> None:
        user.open(page)

    open_page.__name__ = f"open {page}"
    return open_page


def _tasks(role: str) -> dict:
    return {_task(page): weight for page, weight in JOURNEYS[role]}


class Coordinator(_Person):
    weight = 4
    role = "coordinator"
    tasks = _tasks(role)


class LegalReviewer(_Person):
    weight = 3
    role = "legal_reviewer"
    tasks = _tasks(role)


class QAReviewer(_Person):
    weight = 3
    role = "qa_reviewer"
    tasks = _tasks(role)


__all__ = ["Coordinator", "LegalReviewer", "QAReviewer", "PAGES", "JOURNEYS"]
