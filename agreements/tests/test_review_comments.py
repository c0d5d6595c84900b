"""Comments follow their clause across versions until resolved; approval over open comments needs a reason."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from agreements import selectors, services
from agreements.models import AgreementStatus, CommentReply, ReviewComment, ReviewDecision
from agreements.tests.test_views_review import make_mou

pytestmark = pytest.mark.django_db


def _revise(agreement, coordinator, key, body, summary="Revised"):
    agreement.refresh_from_db()
    return services.agreement_save(actor=coordinator, agreement=agreement,
                                   base_version_number=agreement.current_version_number, title=agreement.title,
                                   variables={}, clause_bodies={key: body}, change_summary=summary)


@pytest.fixture
def mou(workgroup, coordinator):
    return make_mou(workgroup, coordinator)


def _first_key(agreement):
    return agreement.versions.get(number=1).clauses[0]["key"]


def test_a_comment_raised_on_version_two_stays_open_on_versions_three_and_four(mou, coordinator, legal_reviewer):
    key = _first_key(mou)
    _revise(mou, coordinator, key, "<p>Version two text.</p>")
    v2 = mou.versions.get(number=2)
    comment = services.comment_add(actor=legal_reviewer, version=v2, clause_key=key, body="Name the 911 PSAP.",
                                   quote="Version two")
    _revise(mou, coordinator, key, "<p>Version three text naming the PSAP.</p>")
    _revise(mou, coordinator, key, "<p>Version four text naming the PSAP.</p>")
    mou.refresh_from_db()
    v4 = mou.versions.get(number=4)
    assert selectors.open_comments_by_clause(version=v4) == {key: 1}
    assert [c.pk for c in selectors.open_comments(agreement=mou)[key]] == [comment.pk]
    # Version 1 came before the comment: it has none.
    assert selectors.open_comments_by_clause(version=mou.versions.get(number=1)) == {}

    state = selectors.review_state(agreement=mou, version=v4, user=legal_reviewer, clause_key=key)
    shown = state.comments[0]
    assert shown.carried and shown.version.number == 2
    assert "<del>two" in shown.since_raised_html and "<ins>" in shown.since_raised_html
    assert shown.quote_found is False  # "Version two" is no longer in the text
    # The reviewer last acted on version 2: the page's redline starts there.
    assert state.last_reviewed == 2 and state.since == 2


def test_resolving_records_who_when_and_on_which_version_with_a_reply(mou, coordinator, legal_reviewer):
    key = _first_key(mou)
    comment = services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key=key,
                                   body="Too vague.")
    services.comment_reply(actor=coordinator, comment=comment, body="Reworded in version 2.")
    _revise(mou, coordinator, key, "<p>Clearer.</p>")
    services.comment_resolve(actor=legal_reviewer, comment=comment, reply="Fine now.")
    comment.refresh_from_db()
    assert comment.resolved_by == legal_reviewer and comment.resolved_at is not None
    assert comment.resolved_on_version == 2
    assert list(CommentReply.objects.filter(comment=comment).values_list("body", "version_number")) == [
        ("Reworded in version 2.", 1), ("Fine now.", 2)]
    with pytest.raises(ValidationError) as refused:
        services.comment_reply(actor=coordinator, comment=comment, body="One more thing")
    assert services.MSG_COMMENT_RESOLVED in refused.value.messages
    assert selectors.open_comments_by_clause(version=mou.versions.get(number=2)) == {}


def test_approval_is_refused_while_a_carried_comment_is_open(mou, coordinator, legal_reviewer):
    key = _first_key(mou)
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key=key, body="Fix")
    _revise(mou, coordinator, key, "<p>Fixed?</p>")
    services.agreement_submit(actor=coordinator, agreement=mou)
    with pytest.raises(ValidationError) as refused:
        services.agreement_approve(actor=legal_reviewer, agreement=mou)
    assert "1 review comment is still open" in " ".join(refused.value.messages)
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.IN_REVIEW
    assert not ReviewDecision.objects.exists()


def test_approval_over_open_comments_keeps_the_reason_on_the_version(mou, coordinator, legal_reviewer):
    key = _first_key(mou)
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key=key, body="Minor")
    services.agreement_submit(actor=coordinator, agreement=mou)
    services.agreement_approve(actor=legal_reviewer, agreement=mou,
                               override_reason="Style only; counsel for both parties accept the text.")
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.APPROVED
    decision = ReviewDecision.objects.get()
    assert (decision.version.number, decision.decision, decision.open_comments) == (1, "approved", 1)
    assert decision.override_reason.startswith("Style only")


def test_a_reason_given_when_nothing_is_open_any_more_is_not_kept(mou, coordinator, legal_reviewer):
    services.agreement_submit(actor=coordinator, agreement=mou)
    services.agreement_approve(actor=legal_reviewer, agreement=mou, override_reason="Typed before it was resolved")
    decision = ReviewDecision.objects.get()
    assert (decision.open_comments, decision.override_reason) == (0, "")


def test_approving_a_draft_says_the_step_is_not_possible_even_with_comments_open(mou, legal_reviewer):
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key=_first_key(mou),
                         body="Open")
    with pytest.raises(ValidationError, match="that step is not possible"):
        services.agreement_approve(actor=legal_reviewer, agreement=mou)


def test_a_member_resolves_only_their_own_comments(mou, member, legal_reviewer, coordinator):
    version, key = mou.versions.get(number=1), _first_key(mou)
    counsel = services.comment_add(actor=legal_reviewer, version=version, clause_key=key, body="Counsel's point")
    own = services.comment_add(actor=member, version=version, clause_key=key, body="My point")
    with pytest.raises(ValidationError, match="Only the person who wrote this comment"):
        services.comment_resolve(actor=member, comment=counsel)
    services.comment_resolve(actor=member, comment=own)
    services.comment_resolve(actor=coordinator, comment=counsel)  # coordinators hold every review action
    assert ReviewComment.objects.filter(resolved_at__isnull=False).count() == 2


def test_notices_go_to_reviewers_drafters_and_comment_authors(mou, coordinator, legal_reviewer, settings,
                                                             django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    key = _first_key(mou)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_submit(actor=coordinator, agreement=mou)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([legal_reviewer.email], "For legal review: County 988/911 MOU (version 1)")]
    assert "/review/" in mail.outbox[0].body
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key=key, body="Fix it")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_request_changes(actor=legal_reviewer, agreement=mou, note="See clause 1.")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "See clause 1." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _revise(mou, coordinator, key, "<p>Fixed.</p>")
    assert [m.to for m in mail.outbox] == [[legal_reviewer.email]]
    assert "changes a clause you commented on" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # a change to another clause answers nothing
        _revise(mou, coordinator, mou.versions.get(number=1).clauses[1]["key"], "<p>Other.</p>")
    assert mail.outbox == []


def test_a_comment_needs_text_and_a_clause_of_the_version(mou, legal_reviewer):
    version = mou.versions.get(number=1)
    for clause_key, body in [("no-such-clause", "x"), (_first_key(mou), "   ")]:
        with pytest.raises(ValidationError):
            services.comment_add(actor=legal_reviewer, version=version, clause_key=clause_key, body=body)
    with pytest.raises(ValidationError):
        services.comment_add(actor=legal_reviewer, version=version, clause_key=_first_key(mou), body="x",
                             quote="y" * 501)
    assert not ReviewComment.objects.exists()
