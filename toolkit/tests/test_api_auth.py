"""API keys: who gets in, what a read key may do, rate limits, and one workgroup never sees another's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from toolkit.models import ApiScope, ApiToken
from toolkit.services.api_tokens import api_token_revoke
from toolkit.tests.api_helpers import call, make_key
from triage.models import Transfer
from triage.tests.transfer_factories import TransferFactory

pytestmark = pytest.mark.django_db

TRANSFERS = "/api/v1/transfers/"


def _transfer_body(workgroup, **extra) -> dict:
    sender = OrganizationFactory(workgroup=workgroup, name="Riverbend PSAP")
    receiver = OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center")
    return {"direction": "911_to_988", "sending_organization": sender.pk, "receiving_organization": receiver.pk,
            "initiated_at": (timezone.now() - timedelta(hours=1)).isoformat(), "result": "dropped"} | extra


def test_no_key_gets_401_with_a_bearer_challenge_and_structured_json(workgroup):
    response = call("GET", TRANSFERS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"errors": {}, "detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("header", ["Bearer", "Bearer two parts", "Basic dXNlcjpwYXNz", "Bearer cit_\u00e9t\u00e9"])
def test_a_malformed_authorization_header_gets_401(workgroup, header):
    response = call("GET", TRANSFERS, header=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_unknown_key_and_a_wrong_key_with_a_known_prefix_get_401(workgroup, coordinator):
    token, key = make_key(workgroup, coordinator)
    assert call("GET", TRANSFERS, "cit_nothing-like-a-real-key").status_code == 401
    response = call("GET", TRANSFERS, key[:12] + "x" * 40)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is not valid."


def test_a_revoked_key_gets_401(workgroup, coordinator):
    token, key = make_key(workgroup, coordinator)
    assert call("GET", TRANSFERS, key).status_code == 200
    api_token_revoke(actor=coordinator, token=token)
    response = call("GET", TRANSFERS, key)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_the_token_keyword_works_as_well_as_bearer(workgroup, coordinator):
    _token, key = make_key(workgroup, coordinator, ApiScope.READ)
    assert call("GET", TRANSFERS, header=f"Token {key}").status_code == 200


def test_a_signed_in_browser_session_gets_nothing_from_the_api(client, workgroup, coordinator):
    client.force_login(coordinator)
    response = call("GET", TRANSFERS, client=client)
    assert response.status_code == 401


def test_a_read_key_cannot_write(workgroup, coordinator):
    _token, key = make_key(workgroup, coordinator, ApiScope.READ)
    response = call("POST", TRANSFERS, key, _transfer_body(workgroup))
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert not Transfer.objects.exists()
    assert call("POST", "/api/v1/incidents/", key, {}).status_code == 403


def test_a_use_sets_last_used_at_once_a_minute_at_most(workgroup, coordinator, django_assert_num_queries):
    token, key = make_key(workgroup, coordinator, ApiScope.READ)
    assert token.last_used_at is None
    call("GET", "/api/v1/protocols/", key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=30)
    call("GET", "/api/v1/protocols/", key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=5))
    call("GET", "/api/v1/protocols/", key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_the_rate_limit_answers_429_with_retry_after(workgroup, coordinator, settings):
    settings.API_RATE_LIMITS = {"read": "2/minute", "write": "1/minute"}
    _token, key = make_key(workgroup, coordinator)
    assert [call("GET", TRANSFERS, key).status_code for _ in range(2)] == [200, 200]
    refused = call("GET", TRANSFERS, key)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    # Each key has its own bucket.
    _other, other_key = make_key(workgroup, coordinator, name="Crisis line platform")
    assert call("GET", TRANSFERS, other_key).status_code == 200


def test_another_workgroups_key_sees_none_of_our_rows(workgroup, other_workgroup, coordinator, outsider):
    from triage.tests.transfer_factories import approved_version

    TransferFactory(workgroup=workgroup, partner_call_id="CAD-1")
    approved_version(workgroup=workgroup, actor=coordinator)
    _token, our_key = make_key(workgroup, coordinator)
    assert len(call("GET", TRANSFERS, our_key).json()["results"]) == 1
    _token, their_key = make_key(other_workgroup, outsider)
    listing = call("GET", TRANSFERS, their_key)
    assert listing.status_code == 200 and listing.json()["results"] == []
    assert "CAD-1" not in listing.content.decode()
    protocol = call("GET", "/api/v1/protocols/", their_key)
    assert protocol.json()["results"] == []


def test_another_workgroups_key_cannot_reference_our_organizations(workgroup, other_workgroup, coordinator, outsider):
    body = _transfer_body(workgroup)
    _token, their_key = make_key(other_workgroup, outsider)
    response = call("POST", TRANSFERS, their_key, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["sending_organization"] == ["No such id in this workgroup."]
    assert errors["receiving_organization"] == ["No such id in this workgroup."]
    assert "Riverbend" not in response.content.decode()
    assert not Transfer.objects.exists()


def test_another_workgroups_protocol_is_not_found(workgroup, other_workgroup, coordinator, outsider):
    from triage.tests.transfer_factories import approved_version

    version = approved_version(workgroup=workgroup, actor=coordinator)
    _token, their_key = make_key(other_workgroup, outsider)
    response = call("GET", f"/api/v1/protocols/{version.protocol_id}/", their_key)
    assert response.status_code == 404
    assert response.json()["errors"] == {}
