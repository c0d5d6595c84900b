"""The review page, the reviewer's queue and the comment thread views."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import AgreementStatus, CommentReply, ReviewComment, ReviewDecision
from agreements.tests.test_review_comments import _first_key, _revise
from agreements.tests.test_views_review import BASE, make_mou

pytestmark = pytest.mark.django_db


@pytest.fixture
def commented(workgroup, coordinator, legal_reviewer):
    """An MOU whose first clause got a comment on version 2 and was revised in version 3, now in review."""
    mou = make_mou(workgroup, coordinator)
    key = _first_key(mou)
    _revise(mou, coordinator, key, "<p>The partners answer calls together.</p>")
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=2), clause_key=key,
                         body="Say who answers first.", quote="answer calls together")
    _revise(mou, coordinator, key, "<p>The 988 center answers first; the PSAP transfers calls to it.</p>")
    services.agreement_submit(actor=coordinator, agreement=mou)
    mou.refresh_from_db()
    return mou


def test_the_current_version_shows_the_comment_raised_on_version_two_with_its_redline(client, commented,
                                                                                       legal_reviewer):
    client.force_login(legal_reviewer)
    response = client.get(f"{BASE}/{commented.pk}/review/", follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/{commented.pk}/versions/3/review/")
    html = response.content.decode()
    assert "raised on version 2" in html
    assert "Say who answers first." in html
    assert "<del>partners" in html and "<ins>988 center" in html
    assert "no longer in the text" in html  # the quoted words were reworded
    assert "1 comment still open" in html and "Approve version 3" in html


def test_approving_from_the_review_page_with_open_comments_needs_a_reason(client, commented, legal_reviewer):
    client.force_login(legal_reviewer)
    response = client.post(f"{BASE}/{commented.pk}/approve/", {"override_reason": ""})
    assert response.status_code == 400
    assert "1 review comment is still open" in response.content.decode()
    commented.refresh_from_db()
    assert commented.status == AgreementStatus.IN_REVIEW

    response = client.post(f"{BASE}/{commented.pk}/approve/", {"override_reason": "Counsel accept it as is."})
    assert response.status_code == 302
    commented.refresh_from_db()
    assert commented.status == AgreementStatus.APPROVED
    assert ReviewDecision.objects.get().override_reason == "Counsel accept it as is."
    page = client.get(response["Location"]).content.decode()
    assert "Approved over 1 open comment" in page and "Counsel accept it as is." in page


def test_request_changes_keeps_the_note(client, commented, legal_reviewer):
    client.force_login(legal_reviewer)
    response = client.post(f"{BASE}/{commented.pk}/request-changes/", {"note": "Clause 1 still unclear."})
    assert response.status_code == 302
    assert ReviewDecision.objects.get().note == "Clause 1 still unclear."


def test_a_refused_comment_comes_back_with_what_was_typed(client, commented, legal_reviewer):
    client.force_login(legal_reviewer)
    key = _first_key(commented)
    response = client.post(f"{BASE}/{commented.pk}/versions/3/comments/new/",
                           {"clause_key": key, "body": "  ", "quote": "PSAP transfers"})
    assert response.status_code == 400
    html = response.content.decode()
    assert services.MSG_COMMENT_EMPTY in html and 'value="PSAP transfers"' in html
    assert ReviewComment.objects.count() == 1


def test_reply_and_resolve_from_the_page(client, commented, coordinator, legal_reviewer):
    comment = ReviewComment.objects.get()
    client.force_login(coordinator)
    response = client.post(f"{BASE}/comments/{comment.pk}/reply/", {"body": "Done in version 3."})
    assert response.status_code == 302 and "clause=" in response["Location"]
    response = client.post(f"{BASE}/comments/{comment.pk}/reply/", {"body": ""})
    assert response.status_code == 400 and services.MSG_REPLY_EMPTY in response.content.decode()
    client.force_login(legal_reviewer)
    client.post(f"{BASE}/comments/{comment.pk}/resolve/", {"reply": "Agreed."})
    comment.refresh_from_db()
    assert comment.resolved_by == legal_reviewer and comment.resolved_on_version == 3
    assert list(CommentReply.objects.values_list("body", flat=True)) == ["Done in version 3.", "Agreed."]


def test_the_queue_lists_agreements_in_review_with_their_open_comments(client, commented, workgroup, coordinator,
                                                                      legal_reviewer):
    services.agreement_create(actor=coordinator, workgroup=workgroup, template=commented.template,
                              title="A draft not yet submitted",
                              parties=[{"organization": p.organization} for p in commented.parties.all()])
    client.force_login(legal_reviewer)
    html = client.get(f"{BASE}/review-queue/").content.decode()
    assert commented.title in html and "A draft not yet submitted" not in html
    assert "New version</strong> since your version 2" in html


def test_the_queue_is_empty_when_nothing_waits(client, legal_reviewer, workgroup):
    client.force_login(legal_reviewer)
    assert "Nothing is waiting for legal review" in client.get(f"{BASE}/review-queue/").content.decode()


def test_the_review_page_reads_a_fixed_number_of_queries(client, commented, coordinator, legal_reviewer):
    client.force_login(legal_reviewer)
    url = f"{BASE}/{commented.pk}/versions/3/review/?clause={_first_key(commented)}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    key = _first_key(commented)
    for n in range(6):  # more comments, replies and versions
        version = commented.versions.get(number=commented.current_version_number)
        comment = services.comment_add(actor=legal_reviewer, version=version, clause_key=key, body=f"More {n}")
        services.comment_reply(actor=coordinator, comment=comment, body="ok")
    services.agreement_request_changes(actor=legal_reviewer, agreement=commented)
    for n in range(3):
        _revise(commented, coordinator, key, f"<p>Text {n}</p>")
    url = f"{BASE}/{commented.pk}/versions/6/review/?clause={key}"
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) <= len(few) + 1  # + the one query reading the versions the comments were raised on


def test_outsiders_get_404_and_viewers_cannot_comment_or_queue(client, commented, outsider, viewer):
    client.force_login(outsider)
    assert client.get(f"{BASE}/{commented.pk}/versions/3/review/").status_code == 404
    client.force_login(viewer)
    assert client.get(f"{BASE}/{commented.pk}/versions/3/review/").status_code == 200
    assert client.get(f"{BASE}/review-queue/").status_code == 403
    comment = ReviewComment.objects.get()
    assert client.post(f"{BASE}/comments/{comment.pk}/reply/", {"body": "x"}).status_code == 403
    assert not CommentReply.objects.exists()


def test_the_dashboard_card_sends_a_reviewer_to_the_queue_and_a_member_to_the_list(commented, workgroup,
                                                                                   legal_reviewer, member):
    from agreements.selectors import dashboard_card
    from toolkit.models import Membership

    def card(user):
        return dashboard_card(workgroup=workgroup, membership=Membership.objects.select_related("workgroup").get(
            user=user, workgroup=workgroup))

    as_reviewer, as_member = card(legal_reviewer), card(member)
    assert (as_reviewer.start_url, as_reviewer.start_label) == (f"{BASE}/review-queue/", "Review 1 waiting")
    assert (as_member.start_url, as_member.start_label) == (f"{BASE}/", "Open agreements")
