"""Idle sign-out: a session ends after a spell without anything the person did; polling does not count."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY

from toolkit.sessions import LAST_ACTIVITY_KEY, MSG_TIMED_OUT
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def _last(client) -> int:
    return client.session[LAST_ACTIVITY_KEY]


def test_signing_in_starts_the_clock(client, workgroup, member):
    client.post("/accounts/login/", {"username": member.email, "password": TEST_PASSWORD})

    assert abs(_last(client) - time.time()) < 5


def test_a_quiet_session_is_signed_out_and_told_why(client, workgroup, member):
    client.force_login(member)
    _idle_for(client, 16 * 60)

    response = client.get("/w/riverbend/partners/", follow=True)

    assert response.redirect_chain[0][0] == "/accounts/login/?next=/w/riverbend/partners/"
    assert SESSION_KEY not in client.session
    assert MSG_TIMED_OUT.format(minutes=15) in html.unescape(response.content.decode())


def test_a_session_used_within_the_timeout_carries_on_and_the_clock_restarts(client, workgroup, member):
    client.force_login(member)
    _idle_for(client, 14 * 60)

    assert client.get("/w/riverbend/").status_code == 200
    assert abs(_last(client) - time.time()) < 5


def test_polling_status_parts_do_not_keep_a_session_alive(client, workgroup, member):
    client.force_login(member)
    _idle_for(client, 10 * 60)
    before = _last(client)

    response = client.get("/w/riverbend/jobs/", headers={"HX-Request": "true", "X-Poll": "true"})

    assert response.status_code == 200
    assert _last(client) == before
    _idle_for(client, 16 * 60)
    timed_out = client.get("/w/riverbend/jobs/", headers={"HX-Request": "true", "X-Poll": "true"})
    assert timed_out.status_code == 204
    assert timed_out["HX-Redirect"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


def test_the_keep_alive_restarts_the_clock(client, workgroup, member):
    client.force_login(member)
    _idle_for(client, 10 * 60)

    response = client.post("/accounts/keep-alive/")

    assert response.status_code == 204
    assert abs(_last(client) - time.time()) < 5


def test_the_timeout_is_configurable(client, workgroup, member, settings):
    from datetime import timedelta

    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    client.force_login(member)
    _idle_for(client, 20 * 60)

    assert client.get("/w/riverbend/").status_code == 200


def test_the_page_is_told_the_timeout_less_the_write_interval(client, workgroup, member):
    client.force_login(member)

    body = client.get("/w/riverbend/").content.decode()

    assert 'data-idle-seconds="840"' in body  # 15 minutes, less the minute the stored time may lag


def test_every_status_part_that_polls_says_it_is_polling():
    """A new polling template without the header would keep idle sessions alive for ever."""
    templates = Path(django_settings.BASE_DIR, "templates")
    polling = [path for path in templates.rglob("*.html") if re.search(r'hx-trigger="[^"]*every ', path.read_text())]
    assert polling, "the job, packet and import status parts poll"
    for path in polling:
        assert '"X-Poll": "true"' in path.read_text(), f"{path} polls without X-Poll"


def test_the_page_ending_the_session_signs_out_and_comes_back_to_the_same_page(client, workgroup, member):
    client.force_login(member)

    response = client.post("/accounts/timed-out/", {"next": "/w/riverbend/partners/"}, follow=True)

    assert response.redirect_chain[0][0] == "/accounts/login/?next=%2Fw%2Friverbend%2Fpartners%2F"
    assert SESSION_KEY not in client.session
    assert MSG_TIMED_OUT.format(minutes=15) in html.unescape(response.content.decode())


def test_a_busy_session_still_ends_twelve_hours_after_sign_in(client, workgroup, member):
    from toolkit.sessions import MSG_TOO_LONG, SIGNED_IN_AT_KEY

    client.force_login(member)
    session = client.session
    session[SIGNED_IN_AT_KEY] = int(time.time()) - 12 * 3600 - 5
    session[LAST_ACTIVITY_KEY] = int(time.time())  # active a moment ago
    session.save()

    response = client.get("/w/riverbend/", follow=True)

    assert SESSION_KEY not in client.session
    assert MSG_TOO_LONG.format(hours=12) in html.unescape(response.content.decode())
