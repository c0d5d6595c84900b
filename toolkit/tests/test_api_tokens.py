"""The API keys page: coordinators create a key (shown once, only its hash kept) and revoke it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from toolkit.models import ApiScope, ApiToken, AuditEvent
from toolkit.services.api_tokens import key_hash
from toolkit.tests.api_helpers import call, make_key

pytestmark = pytest.mark.django_db

KEY_SHOWN = re.compile(r'id="new-api-key" value="(cit_[^"]+)"')


def _url(workgroup) -> str:
    return reverse("toolkit:api-tokens", args=[workgroup.slug])


def _all_text_in_the_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM toolkit_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM toolkit_historicalapitoken")
        rows += cursor.fetchall()
        cursor.execute("SELECT * FROM toolkit_auditevent")
        rows += cursor.fetchall()
    return repr(rows)


def test_a_coordinator_creates_a_key_shown_once_and_only_its_hash_is_stored(client, workgroup, coordinator):
    client.force_login(coordinator)
    response = client.post(_url(workgroup), {"name": "County CAD export", "scope": ApiScope.WRITE})
    assert response.status_code == 200
    page = response.content.decode()
    assert "you will not see it again" in page
    key = KEY_SHOWN.search(page).group(1)
    token = ApiToken.objects.get()
    assert token.name == "County CAD export" and token.scope == ApiScope.WRITE and token.created_by == coordinator
    assert token.key_hash == key_hash(key) and key.startswith(token.prefix)
    assert key not in _all_text_in_the_database()
    assert AuditEvent.objects.filter(workgroup=workgroup).exists()
    # The key works for the API, and the list never shows it again.
    assert call("GET", "/api/v1/transfers/", key).status_code == 200
    again = client.get(_url(workgroup)).content.decode()
    assert key not in again and token.prefix in again and "County CAD export" in again


def test_an_invalid_form_shows_its_errors(client, workgroup, coordinator):
    client.force_login(coordinator)
    response = client.post(_url(workgroup), {"name": "", "scope": "admin"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_then_the_key_stops_working(client, workgroup, coordinator):
    token, key = make_key(workgroup, coordinator)
    client.force_login(coordinator)
    revoke = reverse("toolkit:api-token-revoke", args=[workgroup.slug, token.pk])
    confirm = client.get(revoke)
    assert confirm.status_code == 200 and "stops working at once" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None
    response = client.post(revoke, follow=True)
    assert "no longer works" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == coordinator
    assert call("GET", "/api/v1/transfers/", key).status_code == 401
    assert "Revoked" in client.get(_url(workgroup)).content.decode()


@pytest.mark.parametrize("who", ["member", "viewer", "legal_reviewer", "qa_reviewer"])
def test_other_roles_get_403(request, client, workgroup, coordinator, who):
    token, _key = make_key(workgroup, coordinator)
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(workgroup)).status_code == 403
    assert client.post(_url(workgroup), {"name": "Mine", "scope": "write"}).status_code == 403
    assert client.post(reverse("toolkit:api-token-revoke", args=[workgroup.slug, token.pk])).status_code == 403
    assert ApiToken.objects.get().revoked_at is None and ApiToken.objects.count() == 1


def test_an_outsider_gets_404_and_their_coordinator_cannot_revoke_our_key(client, workgroup, coordinator, outsider,
                                                                          other_workgroup):
    token, _key = make_key(workgroup, coordinator)
    client.force_login(outsider)
    assert client.get(_url(workgroup)).status_code == 404
    theirs = reverse("toolkit:api-token-revoke", args=[other_workgroup.slug, token.pk])
    assert client.post(theirs).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_list_takes_the_same_queries_for_one_key_or_many(client, workgroup, coordinator):
    client.force_login(coordinator)
    make_key(workgroup, coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(workgroup)).status_code == 200
        return len(captured)

    one = queries()
    for number in range(4):
        make_key(workgroup, coordinator, name=f"System {number}")
    assert queries() == one
