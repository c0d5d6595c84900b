"""The counsel approvals page and the one-time link page: who sees what, and what a link answers once used."""

from __future__ import annotations

import html
import logging
import re

import pytest
from django.core import mail
from django.utils import timezone

from agreements import counsel, services
from agreements.models import AgreementTemplate, PartyApproval
from agreements.tests.test_views_review import make_mou
from partners.tests.factories import OrganizationFactory

BASE = "/w/riverbend/agreements"
APPROVED, DECLINED = PartyApproval.Decision.APPROVED, PartyApproval.Decision.DECLINED


@pytest.fixture
def in_review(workgroup, coordinator):
    return services.agreement_submit(actor=coordinator, agreement=make_mou(workgroup, coordinator))


@pytest.fixture
def line(in_review):
    return in_review.parties.order_by("order").first()


def page_url(agreement) -> str:
    return f"{BASE}/{agreement.pk}/counsel/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def a_link(agreement, party, actor) -> tuple[PartyApproval, str]:
    """A link as the coordinator makes it; returns the row and the path counsel opens."""
    version = agreement.versions.get(number=agreement.current_version_number)
    approval, url = counsel.party_approval_link_send(actor=actor, version=version, party=party,
                                                     email="counsel@crisisline.test", base_url="http://testserver/")
    return approval, url.removeprefix("http://testserver")


def decision(**extra) -> dict:
    return {"decision": APPROVED, "approver_name": "Sam Lee", "approver_title": "General Counsel", "note": "",
            **extra}


def recorded(**extra) -> dict:
    return {f"record-{k}": v for k, v in decision(**extra).items()}


# --- The counsel approvals page -----------------------------------------------------------------


def test_everyone_in_the_workgroup_sees_which_parties_are_outstanding(client, in_review, line, legal_reviewer,
                                                                       viewer):
    counsel.party_approval_record(actor=legal_reviewer, version=in_review.versions.get(), party=line,
                                  decision=APPROVED, approver_name="Ana Ruiz", approver_title="County Attorney")
    client.force_login(viewer)

    response = client.get(page_url(in_review))

    assert response.status_code == 200
    page = text(response)
    assert "Ana Ruiz, County Attorney" in page and f"recorded by {legal_reviewer}" in page
    assert "Still waiting for: County 911 & Dispatch." in page
    assert 'data-testid="record-form"' not in page and 'data-testid="link-form"' not in page  # read only


def test_a_legal_reviewer_records_counsels_approval(client, in_review, line, legal_reviewer):
    client.force_login(legal_reviewer)

    response = client.post(f"{page_url(in_review)}record/",
                           recorded(party=line.pk, version_number=1, approver_name="Ana Ruiz"))

    assert response.status_code == 302 and response["Location"] == page_url(in_review)
    assert "Recorded: counsel for Riverbend Crisis Line approved version 1." in text(client.get(page_url(in_review)))
    row = PartyApproval.objects.get()
    assert (row.party, row.decision, row.recorded_by, row.approver_name) == (line, APPROVED, legal_reviewer,
                                                                              "Ana Ruiz")


def test_a_decline_without_a_note_is_shown_again_with_what_was_typed(client, in_review, line, coordinator):
    client.force_login(coordinator)

    response = client.post(f"{page_url(in_review)}record/",
                           recorded(party=line.pk, version_number=1, decision=DECLINED, approver_name="Ana Ruiz"))

    assert response.status_code == 400
    page = text(response)
    assert counsel.MSG_DECLINE_NEEDS_NOTE in page and 'value="Ana Ruiz"' in page
    assert not PartyApproval.objects.exists()


def another_agreement(workgroup, coordinator):
    """An agreement between two other organizations of the same workgroup."""
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    organizations = [OrganizationFactory(workgroup=workgroup, name=name) for name in ("EMS Authority", "Sheriff")]
    return services.agreement_create(actor=coordinator, workgroup=workgroup, template=template, title="Another MOU",
                                     parties=[{"organization": o} for o in organizations])


def test_a_party_of_another_agreement_cannot_be_posted(client, workgroup, in_review, coordinator):
    other = another_agreement(workgroup, coordinator).parties.first()
    client.force_login(coordinator)

    response = client.post(f"{page_url(in_review)}record/", recorded(party=other.pk, version_number=1))

    assert response.status_code == 400 and not PartyApproval.objects.exists()


def test_sending_a_link_shows_it_once_and_mails_it_after_the_commit(client, in_review, line, coordinator, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"{page_url(in_review)}send-link/",
                               {"link-party": line.pk, "link-version_number": 1, "link-email": "sam@crisisline.test"})

    assert response.status_code == 200 and len(callbacks) == 1
    shown = re.search(r'data-testid="sent-url">([^<]+)<', response.content.decode()).group(1)
    assert shown.startswith("http://testserver/counsel/riverbend/")
    assert "no-store" in response["Cache-Control"]
    assert [m.to for m in mail.outbox] == [["sam@crisisline.test"]]
    mailed = re.search(r"http://testserver(/counsel/riverbend/\S+)", mail.outbox[0].body).group(1)
    page = text(client.get(page_url(in_review)))
    assert "sam@crisisline.test" in page and shown not in page  # listed as sent; the link itself not again
    client.logout()
    for path in (shown.removeprefix("http://testserver"), mailed):  # signed at different seconds, same link
        assert "as counsel for <strong>Riverbend Crisis Line</strong>" in text(client.get(path))


def test_members_get_403_and_other_workgroups_404(client, in_review, line, member, outsider):
    posts = {"record/": recorded(party=line.pk, version_number=1),
             "send-link/": {"link-party": line.pk, "link-version_number": 1, "link-email": "x@y.test"}}
    client.force_login(member)
    assert client.get(page_url(in_review)).status_code == 200
    for suffix, data in posts.items():
        assert client.post(page_url(in_review) + suffix, data).status_code == 403
    client.force_login(outsider)
    for who in ("riverbend", "elsewhere"):
        assert client.get(f"/w/{who}/agreements/{in_review.pk}/counsel/").status_code == 404
        for suffix, data in posts.items():
            assert client.post(f"/w/{who}/agreements/{in_review.pk}/counsel/{suffix}", data).status_code == 404
    assert not PartyApproval.objects.exists() and mail.outbox == []


# --- The one-time link page ---------------------------------------------------------------------


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    page = text(response)
    assert message in page and 'name="decision"' not in page and "Purpose" not in page
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]


def test_counsel_open_the_version_without_an_account_and_approve_it(client, in_review, line, coordinator):
    _, path = a_link(in_review, line, coordinator)

    response = client.get(path)

    assert response.status_code == 200
    page = text(response)
    assert "as counsel for <strong>Riverbend Crisis Line</strong>" in page and "County 911 & Dispatch" in page
    assert 'data-testid="clause"' in page and 'name="decision"' in page
    assert "/w/riverbend/" not in page and "Download" not in page and ".docx" not in page
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]

    done = client.post(path, decision())
    assert done.status_code == 200 and "your decision is recorded" in text(done)
    status = counsel.party_status(version=in_review.versions.get())[0]
    assert status.approved and status.by_link and status.decision.approver_name == "Sam Lee"


def test_a_link_used_once_is_gone(client, in_review, line, coordinator):
    _, path = a_link(in_review, line, coordinator)
    client.post(path, decision())

    assert_refused(client.get(path), 410, counsel.MSG_LINK_USED)
    assert_refused(client.post(path, decision(decision=DECLINED, note="Changed my mind")), 410, counsel.MSG_LINK_USED)
    assert PartyApproval.objects.get().decision == APPROVED


def test_a_link_of_an_archived_workgroup_takes_no_decision(client, in_review, line, coordinator, workgroup):
    _, path = a_link(in_review, line, coordinator)
    workgroup.archived_at = timezone.now()
    workgroup.save(update_fields=["archived_at"])

    for response in (client.get(path), client.post(path, decision())):
        assert_refused(response, 410, counsel.MSG_LINK_ARCHIVED)
    assert not PartyApproval.objects.filter(decided_at__isnull=False).exists()


def test_a_link_for_a_superseded_version_says_the_text_changed(client, in_review, line, coordinator):
    _, path = a_link(in_review, line, coordinator)
    services.agreement_request_changes(actor=coordinator, agreement=in_review)
    services.agreement_save(actor=coordinator, agreement=in_review, base_version_number=1, title=in_review.title,
                            variables={}, clause_bodies={})

    for response in (client.get(path), client.post(path, decision())):
        assert_refused(response, 410, "The text has changed since this link was sent")
    assert not PartyApproval.objects.filter(decided_at__isnull=False).exists()


def test_a_link_under_another_workgroups_address_is_not_found(client, in_review, line, coordinator,
                                                              other_workgroup):
    _, path = a_link(in_review, line, coordinator)
    elsewhere = path.replace("/counsel/riverbend/", "/counsel/elsewhere/")

    for response in (client.get(elsewhere), client.post(elsewhere, decision())):
        assert_refused(response, 404, counsel.MSG_LINK_INVALID)
        assert "Riverbend" not in text(response)
    assert not PartyApproval.objects.filter(decided_at__isnull=False).exists()


def test_a_decline_through_the_link_needs_a_note(client, in_review, line, coordinator):
    _, path = a_link(in_review, line, coordinator)

    response = client.post(path, decision(decision=DECLINED))

    assert response.status_code == 400 and counsel.MSG_DECLINE_NEEDS_NOTE in text(response)
    assert 'value="Sam Lee"' in text(response)
    assert client.post(path, decision(decision=DECLINED, note="Add the immunity clause.")).status_code == 200
    assert PartyApproval.objects.get().decision == DECLINED


def test_the_token_never_reaches_the_logs(client, in_review, line, coordinator, caplog, settings,
                                          django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        _, path = a_link(in_review, line, coordinator)
    token = path.rstrip("/").rsplit("/", 1)[1]

    client.get(path)
    client.post(path, decision(decision=DECLINED))  # 400
    client.post(path, decision())  # used
    client.get(path)  # 410
    PartyApproval.objects.update(link_expires_at=timezone.now())
    client.get(path.replace("riverbend", "elsewhere"))  # 404

    assert mail.outbox and token in mail.outbox[0].body
    assert caplog.records and all(token not in record.getMessage() for record in caplog.records)
    assert "Gone: /counsel/riverbend/…/" in caplog.text


def test_the_partial_lists_each_party_compactly_for_the_agreement_and_review_pages(in_review, line, coordinator):
    from django.template.loader import render_to_string

    counsel.party_approval_record(actor=coordinator, version=in_review.versions.get(), party=line, decision=APPROVED,
                                  approver_name="Ana Ruiz")
    a_link(in_review, in_review.parties.order_by("order").last(), coordinator)

    page = html.unescape(render_to_string("agreements/_party_approvals.html",
                                          {"party_status": counsel.party_status(version=in_review.versions.get())}))

    assert "1 of 2 parties' counsel approved version 1. Waiting for: County 911 & Dispatch." in page
    assert "Ana Ruiz" in page and "link sent" in page and "counsel@crisisline.test" not in page
