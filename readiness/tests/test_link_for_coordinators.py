"""A coordinator can see and copy a partner's working questionnaire link; a refused link says whom to ask; the
invitation's replies go to the coordinator, not to the no-reply sender."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail

from readiness import services
from readiness.models import RoundStatus
from readiness.tests.factories import RoundFactory, link_respondent, small_version
from toolkit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(workgroup, coordinator):
    return RoundFactory(workgroup=workgroup, instrument_version=small_version(workgroup)[0], title="Spring round",
                        created_by=coordinator)


@pytest.fixture
def respondent(round_, coordinator):
    respondent = link_respondent(round_, name="Pat Partner")
    respondent.invited_by = coordinator
    respondent.save()
    return respondent


def detail(client, respondent) -> str:
    response = client.get(f"/w/{respondent.workgroup.slug}/readiness/respondents/{respondent.pk}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_coordinator_sees_the_working_link_with_a_copy_button_and_the_showing_is_recorded(
        client, respondent, coordinator):
    client.force_login(coordinator)

    page = detail(client, respondent)

    # A token is signed with the time, so the link is checked by what it opens, not compared with a fresh one.
    shown = re.search(r'value="http://testserver/respond/([\w-]+)/([^/"]+)/" readonly data-testid="questionnaire-link"',
                      page)
    assert shown, "no working link on the page"
    assert services.respondent_for_token(slug=shown.group(1), token=shown.group(2)) == respondent
    assert 'data-copy-target="questionnaire-link"' in page and "Copy link" in page
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, object_id=str(respondent.pk))
    assert event.actor == coordinator and event.object_type == "readiness.respondent"
    client.logout()
    assert client.get(f"/respond/{shown.group(1)}/{shown.group(2)}/").status_code == 200  # it opens the questionnaire


def test_the_round_page_points_at_the_link(client, respondent, coordinator):
    client.force_login(coordinator)

    page = client.get(f"/w/{respondent.workgroup.slug}/readiness/rounds/{respondent.round_id}/").content.decode()

    assert f"/readiness/respondents/{respondent.pk}/#link-heading" in page


@pytest.mark.parametrize("change", ["submitted", "expired", "closed"])
def test_no_link_is_shown_when_it_could_not_be_used(client, respondent, coordinator, change):
    from django.utils import timezone

    if change == "submitted":
        respondent.submitted_at = timezone.now()
    elif change == "expired":
        respondent.link_expires_at = timezone.now() - timedelta(minutes=1)
    respondent.save()
    if change == "closed":
        respondent.round.status, respondent.round.closed_at = RoundStatus.CLOSED, timezone.now()
        respondent.round.save()
    client.force_login(coordinator)

    page = detail(client, respondent)

    assert services.respondent_token(respondent) not in page and 'data-testid="questionnaire-link"' not in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED).exists()
    assert ("has expired" in page) == (change == "expired")


def test_a_refused_link_names_the_coordinator_who_sent_it(client, respondent, coordinator):
    from django.utils import timezone

    respondent.link_expires_at = timezone.now() - timedelta(minutes=1)
    respondent.save()

    page = html.unescape(client.get(f"/respond/{respondent.workgroup.slug}/"
                                    f"{services.respondent_token(respondent)}/").content.decode())

    assert f'ask {coordinator.get_full_name()}, who invited you, for a new link' in page
    assert f'href="mailto:{coordinator.email}"' in page
    assert "reply to the e-mail" not in page


def test_a_forged_link_names_nobody(client, respondent, coordinator):
    page = html.unescape(client.get(f"/respond/{respondent.workgroup.slug}/not-a-token/").content.decode())

    assert "ask the coordinator of the workgroup that invited you" in page
    assert coordinator.email not in page


def test_the_invitation_takes_replies_at_the_inviters_address(round_, coordinator):
    from partners.tests.factories import OrganizationFactory

    services.respondent_invite_person(actor=coordinator, round=round_, name="Sam Partner", email="sam@partner.test",
                                      organization=OrganizationFactory(workgroup=round_.workgroup),
                                      base_url="http://testserver/")

    assert mail.outbox[-1].to == ["sam@partner.test"] and mail.outbox[-1].reply_to == [coordinator.email]
