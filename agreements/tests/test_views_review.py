"""Review views: every state change, comment and download with the right role; refusals change nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from agreements import services
from agreements.models import Agreement, AgreementStatus, AgreementTemplate, AgreementVersion, ReviewComment
from partners.tests.factories import OrganizationFactory
from toolkit.models import Membership
from toolkit.tests.upload_files import pdf_bytes

BASE = "/w/riverbend/agreements"
EDIT_POSTS = ["submit", "new-draft", "execute", "signatures"]
REVIEW_POSTS = ["request-changes", "approve"]


def make_mou(workgroup, coordinator, title="County 988/911 MOU") -> Agreement:
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    psap = OrganizationFactory(workgroup=workgroup, name="County 911 & Dispatch")
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title=title,
        parties=[{"organization": line, "signatory_name": "Maya Okonkwo", "signatory_title": "Director"},
                 {"organization": psap, "signatory_name": "Dana Whitfield"}],
        variables={"effective_date": "2027-05-01"},
    )


def approve_for_every_party(agreement: Agreement, actor) -> None:
    """Counsel for each party approves the current version (recorded by ``actor``): what execution needs."""
    from agreements import counsel

    version = agreement.versions.get(number=agreement.current_version_number)
    for party in agreement.parties.all():
        counsel.party_approval_record(actor=actor, version=version, party=party, decision="approved",
                                      approver_name=f"Counsel for {party.name}", approver_title="", note="")


@pytest.fixture
def mou(workgroup, coordinator) -> Agreement:
    return make_mou(workgroup, coordinator)


@pytest.fixture
def in_review(mou, coordinator) -> Agreement:
    return services.agreement_submit(actor=coordinator, agreement=mou)


@pytest.fixture
def approved(in_review, legal_reviewer) -> Agreement:
    return services.agreement_approve(actor=legal_reviewer, agreement=in_review)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _state(agreement: Agreement):
    agreement.refresh_from_db()
    return (agreement.status, agreement.current_version_number, AgreementVersion.objects.count(),
            ReviewComment.objects.count(), list(agreement.parties.values_list("signed_on", flat=True)))


def _detail(agreement) -> str:
    return f"{BASE}/{agreement.pk}/"


def test_a_coordinator_submits_a_draft_to_legal_review(client, mou, coordinator):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/{mou.pk}/submit/")

    assert response.status_code == 302 and response["Location"] == _detail(mou)
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.IN_REVIEW
    assert "legal review" in _messages(response)[0]


def test_a_legal_reviewer_requests_changes_and_the_coordinator_resubmits(client, in_review, legal_reviewer,
                                                                        coordinator):
    client.force_login(legal_reviewer)
    client.post(f"{BASE}/{in_review.pk}/request-changes/")
    in_review.refresh_from_db()
    assert in_review.status == AgreementStatus.CHANGES_REQUESTED

    client.force_login(coordinator)
    client.post(f"{BASE}/{in_review.pk}/submit/")
    in_review.refresh_from_db()
    assert in_review.status == AgreementStatus.IN_REVIEW


def test_a_legal_reviewer_approves(client, in_review, legal_reviewer):
    client.force_login(legal_reviewer)

    response = client.post(f"{BASE}/{in_review.pk}/approve/")

    in_review.refresh_from_db()
    assert in_review.status == AgreementStatus.APPROVED
    assert "is approved" in _messages(response)[0]


def test_a_refused_step_shows_the_services_reason_and_changes_nothing(client, mou, legal_reviewer):
    client.force_login(legal_reviewer)
    before = _state(mou)

    response = client.post(f"{BASE}/{mou.pk}/approve/")

    assert response.status_code == 302 and response["Location"] == f"{BASE}/{mou.pk}/versions/1/review/"
    assert _state(mou) == before
    assert _messages(response) == ["This agreement is draft; that step is not possible."]


@pytest.mark.parametrize("action", EDIT_POSTS)
@pytest.mark.parametrize("role", ["member", "legal_reviewer", "viewer"])
def test_only_coordinators_submit_record_signatures_execute_or_start_a_new_draft(client, approved, people, role,
                                                                                 action):
    client.force_login(people[role])
    before = _state(approved)

    assert client.post(f"{BASE}/{approved.pk}/{action}/", {"party_1": "2020-01-01"}).status_code == 403
    assert _state(approved) == before


@pytest.mark.parametrize("action", REVIEW_POSTS)
@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_may_not_request_changes_or_approve(client, in_review, people, role, action):
    client.force_login(people[role])
    before = _state(in_review)

    assert client.post(f"{BASE}/{in_review.pk}/{action}/").status_code == 403
    assert _state(in_review) == before


@pytest.mark.parametrize("action", EDIT_POSTS + REVIEW_POSTS + ["versions/1/comments/new"])
def test_an_outsider_gets_404_and_nothing_changes(client, in_review, outsider, action):
    client.force_login(outsider)
    before = _state(in_review)

    response = client.post(f"{BASE}/{in_review.pk}/{action}/", {"clause_key": "purpose-scope", "body": "x"})

    assert response.status_code == 404
    assert _state(in_review) == before


def test_another_workgroups_agreement_is_not_found_from_this_workgroup(client, other_workgroup, outsider,
                                                                     coordinator, workgroup):
    theirs = make_mou(other_workgroup, outsider, title="Their MOU")
    client.force_login(coordinator)

    assert client.post(f"{BASE}/{theirs.pk}/submit/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AgreementStatus.DRAFT


def test_state_changes_are_post_only(client, mou, coordinator):
    client.force_login(coordinator)

    for action in ["submit", "request-changes", "approve", "new-draft", "execute"]:
        assert client.get(f"{BASE}/{mou.pk}/{action}/").status_code == 405


# --- Signatures and execution -------------------------------------------------------------------


def _date_fields(agreement, value):
    return {f"party_{party.pk}": value for party in agreement.parties.all()}


def test_the_signature_form_lists_every_party_with_a_date_input(client, approved, coordinator):
    client.force_login(coordinator)

    response = client.get(f"{BASE}/{approved.pk}/signatures/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Riverbend Crisis Line" in content and "County 911 &amp; Dispatch" in content
    assert content.count('type="date"') == 2


def test_a_future_signature_date_is_refused_and_kept_in_the_form(client, approved, coordinator):
    client.force_login(coordinator)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = client.post(f"{BASE}/{approved.pk}/signatures/", _date_fields(approved, future))

    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert f'value="{future}"' in response.content.decode()
    assert not approved.parties.filter(signed_on__isnull=False).exists()


def test_signature_dates_are_recorded_then_the_agreement_is_executed(client, approved, coordinator):
    client.force_login(coordinator)
    first, second = approved.parties.all()
    today = timezone.localdate()

    client.post(f"{BASE}/{approved.pk}/signatures/", {f"party_{first.pk}": today.isoformat()})
    response = client.post(f"{BASE}/{approved.pk}/execute/")
    assert _messages(response)[-1].startswith("Counsel for every party must approve version 1")
    approve_for_every_party(approved, coordinator)
    response = client.post(f"{BASE}/{approved.pk}/execute/")
    assert _messages(response)[-1].startswith("Record every party's signature date first: County 911")
    client.post(f"{BASE}/{approved.pk}/signatures/", {f"party_{second.pk}": (today - timedelta(days=1)).isoformat()})
    response = client.post(f"{BASE}/{approved.pk}/execute/")

    approved.refresh_from_db()
    assert approved.status == AgreementStatus.EXECUTED
    assert sorted(approved.parties.values_list("signed_on", flat=True)) == [today - timedelta(days=1), today]
    assert "executed" in _messages(response)[-1]


def test_signatures_are_only_recorded_on_an_approved_agreement(client, mou, coordinator):
    client.force_login(coordinator)

    response = client.get(f"{BASE}/{mou.pk}/signatures/")

    assert response.status_code == 302 and response["Location"] == _detail(mou)
    assert _messages(response) == ["Signatures are recorded on an approved agreement."]


def test_a_new_draft_starts_from_an_approved_agreement(client, approved, coordinator):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/{approved.pk}/new-draft/")

    approved.refresh_from_db()
    assert (approved.status, approved.current_version_number) == (AgreementStatus.DRAFT, 2)
    assert "Version 2 is a new draft" in _messages(response)[0]


# --- Comments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "coordinator"])
def test_commenters_add_a_comment_on_a_clause_and_return_to_it(client, in_review, people, role):
    client.force_login(people[role])

    response = client.post(f"{BASE}/{in_review.pk}/versions/1/comments/new/",
                           {"clause_key": "call-transfer", "body": "  Name the priority line.  "})

    assert response["Location"] == f"{BASE}/{in_review.pk}/versions/1/review/?clause=call-transfer#selected-clause"
    comment = ReviewComment.objects.get()
    assert (comment.author, comment.body, comment.clause_key) == (people[role], "Name the priority line.",
                                                                  "call-transfer")


@pytest.mark.parametrize("data", [{"clause_key": "no-such-clause", "body": "Hm"}, {"clause_key": "call-transfer"},
                                  {"clause_key": "call-transfer", "body": "   "}, {"clause_key": "<b>", "body": "x"}])
def test_an_invalid_comment_saves_nothing_and_says_why(client, in_review, member, data):
    client.force_login(member)

    response = client.post(f"{BASE}/{in_review.pk}/versions/1/comments/new/", data)

    assert response.status_code == 400  # the review page again, with the reason next to the comment box
    assert not ReviewComment.objects.exists()
    page = response.content.decode()
    assert ("That clause is not part of this version." in page) or ("Write the comment first." in page)
    assert 'data-testid="new-comment"' in page


def test_viewers_may_not_comment_or_resolve_and_unknown_versions_are_404(client, in_review, viewer, member,
                                                                          legal_reviewer):
    comment = services.comment_add(actor=legal_reviewer, version=in_review.versions.get(), clause_key="definitions",
                                   body="Define 'warm hand-off'.")
    client.force_login(viewer)
    assert client.post(f"{BASE}/{in_review.pk}/versions/1/comments/new/",
                       {"clause_key": "definitions", "body": "x"}).status_code == 403
    assert client.post(f"{BASE}/comments/{comment.pk}/resolve/").status_code == 403
    client.force_login(member)
    assert client.post(f"{BASE}/{in_review.pk}/versions/9/comments/new/",
                       {"clause_key": "definitions", "body": "x"}).status_code == 404
    comment.refresh_from_db()
    assert comment.resolved_at is None and ReviewComment.objects.count() == 1


def test_a_comment_is_resolved_and_another_workgroups_comment_is_not_found(client, in_review, legal_reviewer,
                                                                           other_workgroup, outsider, member):
    ours = services.comment_add(actor=member, version=in_review.versions.get(), clause_key="definitions",
                                body="Define 'warm hand-off'.")
    theirs_agreement = make_mou(other_workgroup, outsider, title="Their MOU")
    theirs = services.comment_add(actor=outsider, version=theirs_agreement.versions.get(),
                                  clause_key="definitions", body="Secret")
    client.force_login(member)

    response = client.post(f"{BASE}/comments/{ours.pk}/resolve/")
    assert client.post(f"{BASE}/comments/{theirs.pk}/resolve/").status_code == 404

    assert response["Location"] == f"{BASE}/{in_review.pk}/versions/1/review/?clause=definitions#selected-clause"
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.resolved_by == member and ours.resolved_at is not None
    assert theirs.resolved_at is None


# --- Exports ------------------------------------------------------------------------------------


def test_the_docx_download_opens_in_python_docx_with_the_clause_headings_and_parties(client, in_review,
                                                                                       legal_reviewer):
    client.force_login(legal_reviewer)

    response = client.get(f"{BASE}/{in_review.pk}/versions/1/export.docx")

    assert response.status_code == 200
    assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response["Content-Disposition"] == 'attachment; filename="county-988911-mou-v1.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "1. Purpose and Scope" in headings or any(h.endswith("Purpose and Scope") for h in headings)
    assert any("Call Transfer Procedures" in h for h in headings)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Riverbend Crisis Line", "County 911 & Dispatch", "Maya Okonkwo"} <= cells


def test_the_pdf_download_names_the_parties_and_is_marked_draft(client, in_review, coordinator):
    client.force_login(coordinator)

    response = client.get(f"{BASE}/{in_review.pk}/versions/1/export.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="county-988911-mou-v1.pdf"'
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Riverbend Crisis Line" in text and "County 911 & Dispatch" in text
    assert "DRAFT" in text


@pytest.mark.parametrize("role", ["member", "viewer", "qa_reviewer"])
@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_members_and_viewers_cannot_download(client, in_review, people, role, extension):
    client.force_login(people[role])

    assert client.get(f"{BASE}/{in_review.pk}/versions/1/export.{extension}").status_code == 403


@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_another_workgroups_agreement_or_an_unknown_version_in_an_export_url_is_404(
    client, in_review, other_workgroup, outsider, legal_reviewer, extension
):
    theirs = make_mou(other_workgroup, outsider, title="Their MOU")
    client.force_login(legal_reviewer)

    assert client.get(f"{BASE}/{theirs.pk}/versions/1/export.{extension}").status_code == 404
    assert client.get(f"{BASE}/{in_review.pk}/versions/2/export.{extension}").status_code == 404
    client.force_login(outsider)
    assert client.get(f"{BASE}/{in_review.pk}/versions/1/export.{extension}").status_code == 404


# --- Partials -----------------------------------------------------------------------------------


def _actions(agreement, user, workgroup) -> str:
    membership = Membership.objects.get(user=user, workgroup=workgroup)
    context = {"agreement": agreement, "version": agreement.versions.get(number=agreement.current_version_number),
               "current_workgroup": workgroup, "current_membership": membership}
    return render_to_string("agreements/_review_actions.html", context)


def test_the_actions_partial_offers_each_role_only_its_buttons(in_review, coordinator, legal_reviewer, member,
                                                               workgroup):
    services.comment_add(actor=legal_reviewer, version=in_review.versions.get(), clause_key="definitions", body="?")

    as_reviewer, as_member = _actions(in_review, legal_reviewer, workgroup), _actions(in_review, member, workgroup)

    assert "Approve version 1" in as_reviewer and "Request changes" in as_reviewer
    assert "Download Word (DOCX)" in as_reviewer and "1 open review comment<" in as_reviewer
    assert "Submit for legal review" not in as_reviewer
    assert not any(label in as_member for label in ("Approve version", "Request changes", "Download", "Submit for"))
    approved = services.agreement_approve(actor=legal_reviewer, agreement=in_review, override_reason="Minor")
    as_coordinator = _actions(approved, coordinator, workgroup)
    assert "Record signature dates" in as_coordinator and "Maya Okonkwo" in as_coordinator
    assert "not signed yet" in as_coordinator


def test_the_review_page_shows_comments_escaped_with_forms_only_for_commenters(client, in_review, legal_reviewer,
                                                                              viewer):
    services.comment_add(actor=legal_reviewer, version=in_review.versions.get(), clause_key="definitions",
                         body="<b>Define</b> it")

    def html(user):
        client.force_login(user)
        return client.get(f"{BASE}/{in_review.pk}/versions/1/review/?clause=definitions").content.decode()

    assert "&lt;b&gt;Define&lt;/b&gt; it" in html(legal_reviewer) and "Resolve" in html(legal_reviewer)
    assert "Add comment" in html(legal_reviewer)
    assert "&lt;b&gt;Define&lt;/b&gt; it" in html(viewer)
    assert "Resolve" not in html(viewer) and "Add comment" not in html(viewer)


def test_the_signed_pdf_is_attached_by_a_coordinator_and_downloaded_through_the_app(
    client, workgroup, coordinator, legal_reviewer, viewer, outsider
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements import services as agreement_services
    from agreements.models import Agreement, AgreementTemplate
    from partners.tests.factories import OrganizationFactory

    agreement_services.library_ensure_defaults(workgroup=workgroup)
    agreement = agreement_services.agreement_create(
        actor=coordinator, workgroup=workgroup, title="Signed MOU",
        template=AgreementTemplate.objects.get(workgroup=workgroup, kind="mou"),
        parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                 {"organization": OrganizationFactory(workgroup=workgroup)}],
    )
    url = f"/w/{workgroup.slug}/agreements/{agreement.pk}/signed-copy/"
    client.force_login(coordinator)
    client.post(url, {"file": SimpleUploadedFile("s.pdf", pdf_bytes(), "application/pdf")})
    assert not Agreement.objects.get(pk=agreement.pk).signed_scan  # a draft has nothing signed yet

    agreement_services.agreement_submit(actor=coordinator, agreement=agreement)
    agreement_services.agreement_approve(actor=legal_reviewer, agreement=agreement)
    not_pdf = client.post(url, {"file": SimpleUploadedFile("s.pdf", b"MZ not a pdf", "application/pdf")}, follow=True)
    assert "as a PDF file" in not_pdf.content.decode()
    signed = pdf_bytes(text="signed")
    client.post(url, {"file": SimpleUploadedFile("s.pdf", signed, "application/pdf")})

    download = f"/w/{workgroup.slug}/agreements/{agreement.pk}/signed-copy.pdf"
    client.force_login(viewer)
    assert b"".join(client.get(download).streaming_content) == signed
    assert client.post(url, {"file": SimpleUploadedFile("s.pdf", b"%PDF-x", "application/pdf")}).status_code == 403
    client.force_login(outsider)
    assert client.get(download).status_code == 404
