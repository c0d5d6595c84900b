"""One-time questionnaire links: each opens one questionnaire, until it is used, replaced, expired or closed."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail, signing

from partners.tests.factories import OrganizationFactory
from readiness import services
from readiness.messages import (
    MSG_LINK_EXPIRED,
    MSG_LINK_INVALID,
    MSG_LINK_REPLACED,
    MSG_LINK_ROUND_CLOSED,
    MSG_LINK_SUBMITTED,
)
from readiness.models import Answer, Respondent
from readiness.services.links import LINK_SALT
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version


@pytest.fixture
def small(workgroup):
    return small_version(workgroup)


@pytest.fixture
def round_(workgroup, small, coordinator):
    return RoundFactory(workgroup=workgroup, instrument_version=small[0], title="Spring transfer readiness",
                        scope_statement="Transfers between Riverbend 988 and the county PSAP.", created_by=coordinator)


@pytest.fixture
def respondent(round_, coordinator):
    organization = OrganizationFactory(workgroup=round_.workgroup, name="Riverbend Mobile Crisis")
    respondent = link_respondent(round_, name="Pat Partner", organization=organization)
    respondent.invited_by = coordinator
    respondent.save()
    return respondent


def url(respondent: Respondent, *, token: str | None = None, slug: str | None = None) -> str:
    return f"/respond/{slug or respondent.workgroup.slug}/{token or services.respondent_token(respondent)}/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def complete(items, **extra) -> dict:
    """Every scored statement answered, plus the role (what a submit needs)."""
    return {f"item_{items['L1'].pk}": "4", f"item_{items['L2'].pk}": "3", f"item_{items['L3'].pk}": "unsure",
            f"item_{items['D1'].pk}": "partly", f"item_{items['D2'].pk}": "5", f"item_{items['D3'].pk}": "12",
            f"item_{items['L4'].pk}": "Our night shift is thin.", "role_title": "Clinical director", **extra}


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    page = text(response)
    assert message in page
    assert 'name="role_title"' not in page and "Statement L1" not in page  # no questionnaire
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]


def test_a_link_opens_its_questionnaire_without_an_account(client, respondent, round_):
    response = client.get(url(respondent))

    assert response.status_code == 200
    page = text(response)
    for shown in ("Riverbend County Workgroup", "Spring transfer readiness", "Transfers between Riverbend 988",
                  "Leadership", "Data sharing", "Statement L1", "Statement D3", "Save and finish later",
                  "Submit answers", "coordinators can see each person's answers", "results per organization",
                  round_.due_date.strftime("%B")):
        assert shown in page
    assert 'value="Director"' in page  # the role the invitation knew
    assert "Riverbend Mobile Crisis" in page
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "noindex" in response["X-Robots-Tag"]
    # A minimal page: no workgroup navigation, no way into the app, no list of partner organizations.
    assert "/w/riverbend/" not in page
    assert "Sign in" not in page and "Partners" not in page and 'name="organization"' not in page


def test_a_link_shows_nothing_of_other_respondents(client, respondent, round_, small):
    other = link_respondent(round_, name="Someone Else Entirely")
    Answer.objects.create(respondent=other, item=small[1]["L4"], text="Secret remark of the other partner")

    page = text(client.get(url(respondent)))

    assert "Someone Else Entirely" not in page and "Secret remark" not in page


def test_a_link_saves_and_returns_to_the_same_answers(client, respondent, small):
    items = small[1]
    response = client.post(url(respondent), {f"item_{items['L1'].pk}": "2", "role_title": "Director", "save": "1"})

    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "Your answers are saved" in page
    assert re.search(rf'name="item_{items["L1"].pk}" value="2"[^>]*checked', page)
    assert Answer.objects.get(respondent=respondent, item=items["L1"]).choice == "2"


def test_an_expired_link_is_refused_and_writes_nothing(client, respondent, small):
    respondent.link_expires_at -= timedelta(days=60)
    respondent.save()

    assert_refused(client.get(url(respondent)), 410, MSG_LINK_EXPIRED)
    assert_refused(client.post(url(respondent), complete(small[1], submit="1")), 410, MSG_LINK_EXPIRED)
    assert not Answer.objects.exists()
    respondent.refresh_from_db()
    assert respondent.started_at is None and respondent.submitted_at is None


def test_a_link_cannot_be_used_again_after_submitting(client, respondent, small):
    items = small[1]
    response = client.post(url(respondent), complete(items, submit="1"))
    assert response.status_code == 200
    assert "Thank you" in text(response)
    respondent.refresh_from_db()
    assert respondent.is_submitted
    before = list(Answer.objects.order_by("pk").values_list("item_id", "choice", "number", "text"))

    assert_refused(client.get(url(respondent)), 410, MSG_LINK_SUBMITTED)
    changed = complete(items, submit="1") | {f"item_{items['L1'].pk}": "1", f"item_{items['L4'].pk}": "Changed"}
    assert_refused(client.post(url(respondent), changed), 410, MSG_LINK_SUBMITTED)
    assert list(Answer.objects.order_by("pk").values_list("item_id", "choice", "number", "text")) == before


def test_a_tampered_token_is_refused(client, respondent, small):
    token = services.respondent_token(respondent)
    position = len(token) // 2
    tampered = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]

    assert_refused(client.get(url(respondent, token=tampered)), 404, MSG_LINK_INVALID)
    assert_refused(client.post(url(respondent, token=tampered), complete(small[1], submit="1")), 404,
                   MSG_LINK_INVALID)
    assert not Answer.objects.exists()


def test_a_token_with_an_old_nonce_says_the_link_was_replaced(client, respondent, small):
    stale = signing.dumps({"r": respondent.pk, "w": respondent.workgroup_id, "n": "0" * 32}, salt=LINK_SALT,
                          compress=True)

    assert_refused(client.get(url(respondent, token=stale)), 404, MSG_LINK_REPLACED)
    assert_refused(client.post(url(respondent, token=stale), complete(small[1], save="1")), 404, MSG_LINK_REPLACED)
    assert not Answer.objects.exists()


def test_a_token_of_one_workgroup_under_another_workgroups_address_shows_neither(
    client, respondent, other_workgroup, outsider, small
):
    elsewhere_round = RoundFactory(workgroup=other_workgroup, title="Elsewhere confidential round")
    elsewhere_respondent = link_respondent(elsewhere_round, name="Elsewhere Person")

    for response in (client.get(url(respondent, slug="elsewhere")),
                     client.post(url(respondent, slug="elsewhere"), complete(small[1], submit="1")),
                     client.get(url(elsewhere_respondent, slug="riverbend"))):
        assert_refused(response, 404, MSG_LINK_INVALID)
        page = text(response)
        for secret in ("Riverbend County", "Spring transfer readiness", "Pat Partner", "Elsewhere Secret",
                       "Elsewhere confidential round", "Elsewhere Person"):
            assert secret not in page
    assert not Answer.objects.exists()


def test_resending_a_link_makes_the_old_one_stop_working(client, respondent, coordinator, small):
    old = url(respondent)
    client.force_login(coordinator)
    response = client.post(f"/w/riverbend/readiness/respondents/{respondent.pk}/resend/")
    assert response.status_code == 302
    client.logout()

    assert_refused(client.get(old), 404, MSG_LINK_REPLACED)
    assert_refused(client.post(old, complete(small[1], save="1")), 404, MSG_LINK_REPLACED)
    assert not Answer.objects.exists()
    new = re.search(r"http://testserver(/respond/\S+)", mail.outbox[-1].body).group(1)
    assert client.get(new).status_code == 200


def test_a_closed_round_refuses_its_links(client, respondent, round_, coordinator, small):
    services.round_close(actor=coordinator, round=round_)

    assert_refused(client.get(url(respondent)), 410, MSG_LINK_ROUND_CLOSED)
    assert_refused(client.post(url(respondent), complete(small[1], submit="1")), 410, MSG_LINK_ROUND_CLOSED)
    assert not Answer.objects.exists()


def test_a_token_naming_a_member_respondent_is_refused(client, round_, member, small):
    as_member = member_respondent(round_, member)
    token = signing.dumps({"r": as_member.pk, "w": as_member.workgroup_id, "n": ""}, salt=LINK_SALT, compress=True)

    assert_refused(client.get(url(as_member, token=token)), 404, MSG_LINK_INVALID)
    assert_refused(client.post(url(as_member, token=token), complete(small[1], submit="1")), 404, MSG_LINK_INVALID)
    assert not Answer.objects.exists()
    as_member.refresh_from_db()
    assert as_member.submitted_at is None
