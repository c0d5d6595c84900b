"""Agreement packets: contents, status on paper, layout, tagging, requests, retries and deletion.

The packets here are built by the job runner in the test process (``job_run``), from the seeded demo
county: its MOU names three parties of the partner map and the county's triage protocol. The real
worker, on its ``pdf`` queue, is in ``test_packets_worker.py``.
"""

from __future__ import annotations

import io
import re
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from agreements import packets, services
from agreements.models import Agreement, AgreementPacket, AgreementStatus, PacketSection
from agreements.tests.test_views_review import approve_for_every_party
from toolkit.models import AuditEvent, Job, JobStatus, User, Workgroup
from toolkit.services import job_run

ALL = list(PacketSection.values)
WITHOUT_COMMENTS = [s for s in ALL if s != PacketSection.COMMENTS]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    county = Workgroup.objects.get(slug="riverbend-county")
    mou = Agreement.objects.filter(workgroup=county).order_by("pk").first()
    return {
        "county": county, "mou": mou,
        "legal": User.objects.get(email="legal@example.org"),
        "coordinator": User.objects.get(email="coordinator@example.org"),
    }


def build(demo, *, sections=ALL, version=None, actor=None):
    """Ask for a packet and run its job here; returns (packet, job, reader, text of every page)."""
    mou = Agreement.objects.get(pk=demo["mou"].pk)
    version = version or mou.versions.get(number=mou.current_version_number)
    packet, created = services.packet_request(actor=actor or demo["legal"], agreement=mou, version=version,
                                              sections=sections)
    assert created
    job = job_run(job_id=packet.job_id)
    packet.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        return packet, job, None, []
    with job.result.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    return packet, job, reader, [page.extract_text() or "" for page in reader.pages]


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def approve(demo) -> Agreement:
    """The reviewer approves the demo's current version, over the comments still open on it."""
    from agreements.selectors import open_comments_by_clause

    mou = Agreement.objects.get(pk=demo["mou"].pk)
    still_open = open_comments_by_clause(version=mou.versions.get(number=mou.current_version_number))
    reason = "Counsel accept the remaining points as they stand." if still_open else ""
    return services.agreement_approve(actor=demo["legal"], agreement=mou, override_reason=reason)


# --- Contents --------------------------------------------------------------------------------------


def test_a_draft_packet_has_every_section_each_party_the_protocol_version_and_draft_on_every_page(demo):
    packet, job, reader, pages = build(demo)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    text = "\n".join(pages)
    for heading in ("Contents", "The agreement", "Exhibit A: Contact directory of the parties",
                    "Exhibit B: Roles and responsibilities", "Exhibit C: Triage protocol", "Risk levels",
                    "Decision tree", "Decision-point matrix", "Exhibit D: Data-sharing terms",
                    "Appendix: Open review comments", "Signature pages"):
        assert heading in text, heading
    for party in demo["mou"].parties.all():
        assert party.name in text
    protocol_version = demo["mou"].protocol_version
    assert f"{protocol_version.protocol.name}, version {protocol_version.number}" in " ".join(text.split())
    assert all("DRAFT" in page for page in pages), "every page of a draft says DRAFT"
    assert "not for signature" in pages[0]
    # What counsel wrote and nobody has settled yet is in the appendix.
    open_comment = demo["mou"].comments.filter(resolved_at__isnull=True).first()  # raised on version 1
    assert " ".join(open_comment.body.split()[:6]) in " ".join(text.split())
    assert packet.page_count == len(pages) and packet.size_bytes == job.result.size
    assert re.fullmatch(r"[0-9a-f]{64}", packet.sha256)


def test_each_decision_point_names_the_party_that_leads_it_and_those_that_support_it(demo):
    _, job, _, pages = build(demo, sections=[PacketSection.PROTOCOL, PacketSection.RACI])
    text = " ".join(" ".join(pages).split())

    assert "Lead Supporting" in text
    # The demo's RACI: the 988 line is accountable for receiving and assessing calls, so it leads remote support.
    assert "988 remote support Riverbend Crisis Line (988)" in text


def test_decision_points_take_the_lead_from_A_and_support_from_R_among_the_parties_only():
    from partners.selectors import RaciLine
    from triage.selectors import ExhibitMatrixRow

    class Party:
        def __init__(self, organization_id, name):
            self.organization_id, self.name = organization_id, name

    parties = [Party(1, "Crisis Line"), Party(2, "PSAP"), Party(3, "Mobile Team")]
    lines = [RaciLine("dispatch-mobile-crisis", "Dispatch mobile crisis", "", {1: "A", 3: "R", 2: "I"}, ()),
             RaciLine("transfer-988-911", "Transfer a call from 988 to 911", "", {2: "R"}, ())]
    rows = [ExhibitMatrixRow(("Yes", "—"), "988_mobile_crisis", "988 with mobile crisis", "Moderate", "Team", "Yes"),
            ExhibitMatrixRow(("No", "Yes"), "988_to_911", "988 → 911 transfer", "Higher", "911", "No → Yes"),
            ExhibitMatrixRow(("No", "No"), "", "—", "Low", "Unfinished", "No → No")]

    points = packets.decision_points(rows, lines, parties, ("Willing to talk", "Imminent danger"))

    assert (points[0].lead, points[0].supporting, points[0].note) == ("Crisis Line", "Mobile Team", "")
    assert points[0].facts == ("Willing to talk: Yes",)
    assert points[1].lead == "" and points[1].supporting == "PSAP"
    assert "No party is accountable (A)" in points[1].note
    assert points[2].note == "No route yet."


# --- Status on paper ---------------------------------------------------------------------------------


def test_an_approved_version_prints_as_a_clean_copy_for_signature_with_the_approval(demo):
    approve(demo)
    _, job, _, pages = build(demo, sections=WITHOUT_COMMENTS)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert not any("DRAFT" in page for page in pages)
    assert "Approved for signature" in pages[0]
    assert "Riley Chen" in pages[0]  # the legal reviewer who approved it
    assert "approved on" in pages[0]


def test_open_comments_are_no_section_of_an_approved_version(demo):
    approve(demo)
    mou = Agreement.objects.get(pk=demo["mou"].pk)
    with pytest.raises(ValidationError, match="cannot have"):
        services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                sections=[PacketSection.COMMENTS])


def test_an_executed_version_shows_each_partys_signature_date(demo):
    mou = approve(demo)
    for day, party in enumerate(mou.parties.all(), start=1):
        services.party_record_signature(actor=demo["coordinator"], party=party, signed_on=date(2026, 11, day))
    approve_for_every_party(mou, demo["coordinator"])
    services.agreement_execute(actor=demo["coordinator"], agreement=mou)

    _, job, _, pages = build(demo, sections=[])
    signatures = pages[-1]

    assert "Executed" in pages[0] and not any("DRAFT" in page for page in pages)
    assert {"2026-11-01", "2026-11-02", "2026-11-03"} <= set(re.findall(r"\d{4}-\d\d-\d\d", signatures))


def test_an_older_version_is_marked_superseded(demo):
    mou = demo["mou"]
    _, _, _, pages = build(demo, sections=[], version=mou.versions.get(number=1))

    assert all("SUPERSEDED" in page for page in pages)
    assert "Superseded by version 2" in pages[0]


# --- Layout, metadata, tagging -----------------------------------------------------------------------


def test_the_contents_and_the_bookmarks_agree_with_the_pages(demo):
    _, _, reader, pages = build(demo)
    bookmarks = {title: page for depth, title, page in outline(reader) if depth == 0}
    contents = dict(re.findall(r"^(.+?)[ .]*\.\s*(\d+)$", pages[1], flags=re.M))

    sections = ["The agreement", "Exhibit A: Contact directory of the parties", "Exhibit B: Roles and responsibilities",
                "Exhibit C: Triage protocol", "Exhibit D: Data-sharing terms", "Appendix: Open review comments",
                "Signature pages"]
    for title in sections:
        page = bookmarks[title]
        assert int(contents[title]) == page, title
        assert title in pages[page - 1], f"{title} is not on page {page}"
    assert [t for d, t, p in outline(reader) if d == 0][1:] == sections  # the cover's title first


def test_every_page_has_the_running_header_and_page_x_of_y(demo):
    _, _, _, pages = build(demo, sections=[PacketSection.DIRECTORY])
    total = len(pages)

    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        if number > 1:  # the cover has none
            assert f"Version {demo['mou'].current_version_number}" in page


def test_the_document_carries_title_author_subject_language_and_its_request_date(demo):
    packet, _, reader, _ = build(demo, sections=[])
    meta = reader.metadata

    assert meta.title.startswith(demo["mou"].title)
    assert meta.author == demo["county"].name
    assert "version 2" in meta.subject and "DRAFT" in meta.subject
    assert meta.creation_date.replace(tzinfo=None) == packet.created_at.replace(microsecond=0, tzinfo=None)
    assert reader.trailer["/Root"]["/Lang"] == "en"


def _structure(reader: PdfReader) -> list[tuple[str, object]]:
    """Every structure element's type (and its /Alt), depth first."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            found.append((str(node["/S"]), node.get("/Alt")))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_packet_is_a_tagged_pdf_with_headings_tables_and_described_figures(demo):
    _, _, reader, _ = build(demo, sections=[PacketSection.PROTOCOL, PacketSection.RACI])
    root = reader.trailer["/Root"]
    elements = _structure(reader)
    kinds = {kind for kind, _ in elements}

    assert bool(root["/MarkInfo"]["/Marked"])
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure"} <= kinds
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert figures and all(alt and "Decision tree of" in str(alt) for alt in figures)


def test_the_same_packet_built_again_gives_the_same_bytes_and_another_request_the_same_text(demo):
    from tempfile import SpooledTemporaryFile

    packet, job, _, pages = build(demo)

    def again(for_packet):
        job_row = Job(pk=for_packet.job_id, workgroup=demo["county"], params={"packet_id": for_packet.pk})
        with SpooledTemporaryFile() as output:
            packets.run_agreement_packet(job=job_row, set_progress=lambda *a, **k: None, output=output)
            output.seek(0)
            return output.read()

    with job.result.open("rb") as handle:
        assert again(packet) == handle.read()
    second, _, _, second_pages = build(demo)
    assert second.pk != packet.pk and second_pages == pages


# --- Requests, failures, retries, deletion -------------------------------------------------------------


def test_a_request_for_the_same_version_and_options_while_one_is_waiting_returns_that_one(demo):
    mou = demo["mou"]
    version = mou.versions.get(number=2)
    first, created = services.packet_request(actor=demo["legal"], agreement=mou, version=version,
                                             sections=[PacketSection.RACI, PacketSection.DIRECTORY])
    again, created_again = services.packet_request(actor=demo["coordinator"], agreement=mou, version=version,
                                                   sections=[PacketSection.DIRECTORY, PacketSection.RACI])
    other, created_other = services.packet_request(actor=demo["legal"], agreement=mou, version=version,
                                                   sections=[PacketSection.DIRECTORY])

    assert created and not created_again and again.pk == first.pk
    assert created_other and other.pk != first.pk
    assert Job.objects.filter(kind=packets.KIND).count() == 2
    assert first.sections == ["directory", "raci"]


def test_unknown_sections_and_a_version_of_another_agreement_are_refused_and_nothing_is_recorded(demo):
    mou = demo["mou"]
    parties = [{"organization": party.organization} for party in mou.parties.all()]
    other = services.agreement_create(actor=demo["coordinator"], workgroup=demo["county"], template=mou.template,
                                      title="Another MOU", parties=parties)
    with pytest.raises(ValidationError, match="Unknown sections: everything"):
        services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                sections=["everything"])
    with pytest.raises(ValidationError, match="another agreement"):
        services.packet_request(actor=demo["legal"], agreement=mou, version=other.versions.get(number=1), sections=[])
    assert not AgreementPacket.objects.exists() and not Job.objects.filter(kind=packets.KIND).exists()


def test_people_who_cannot_export_agreements_cannot_ask_for_a_packet(demo):
    from django.core.exceptions import PermissionDenied

    member = User.objects.get(email="member@example.org")
    mou = demo["mou"]
    with pytest.raises(PermissionDenied):
        services.packet_request(actor=member, agreement=mou, version=mou.versions.get(number=2), sections=[])


def test_a_section_that_cannot_be_drawn_fails_the_packet_with_a_readable_error_and_retry_builds_it(demo, monkeypatch):
    from triage import diagram

    def no_graphviz(*args, **kwargs):
        raise diagram.DiagramError(diagram.MISSING_DOT)

    working = diagram.draw_svg
    monkeypatch.setattr(diagram, "draw_svg", no_graphviz)
    packet, job, _, _ = build(demo, sections=[PacketSection.PROTOCOL])

    assert job.status == JobStatus.FAILED and not job.result
    assert job.error_message == ("The section “Exhibit A: Triage protocol” could not be built: "
                                 "Graphviz is not installed; the diagram cannot be drawn.")
    assert packet.page_count is None

    monkeypatch.setattr(diagram, "draw_svg", working)
    retried = services.packet_retry(actor=demo["legal"], packet=packet)
    done = job_run(job_id=retried.job_id)
    packet.refresh_from_db()

    assert done.status == JobStatus.SUCCEEDED and packet.job_id == done.pk != job.pk
    assert packet.page_count and Job.objects.get(pk=job.pk).status == JobStatus.FAILED  # kept as it was


def test_a_coordinator_deletes_a_packet_with_its_job_and_file_and_the_audit_trail_says_so(
    demo, django_capture_on_commit_callbacks
):
    packet, job, _, _ = build(demo, sections=[])
    path = job.result.path
    with django_capture_on_commit_callbacks(execute=True):
        services.packet_delete(actor=demo["coordinator"], packet=packet)

    assert not AgreementPacket.objects.filter(pk=packet.pk).exists()
    assert not Job.objects.filter(pk=job.pk).exists()
    import os

    assert not os.path.exists(path)
    event = AuditEvent.objects.filter(workgroup=demo["county"], object_type__icontains="packet").latest("occurred_at")
    assert event.action == "deleted" and event.actor == demo["coordinator"]


def test_a_packet_still_being_built_is_not_deleted(demo):
    mou = demo["mou"]
    packet, _ = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                        sections=[])
    with pytest.raises(ValidationError, match="still being built"):
        services.packet_delete(actor=demo["coordinator"], packet=packet)
    assert AgreementPacket.objects.filter(pk=packet.pk).exists()


# --- Pages ---------------------------------------------------------------------------------------


def _url(name, demo, **kwargs):
    return reverse(f"agreements:{name}", kwargs={"slug": demo["county"].slug, "agreement_id": demo["mou"].pk, **kwargs})


def test_the_packet_form_starts_with_every_section_the_version_can_have_and_asks_for_one(client, demo):
    client.force_login(demo["legal"])
    page = client.get(_url("packet-list", demo))
    assert page.status_code == 200
    assert page.context["form"].initial["sections"] == ALL
    assert b"No packets yet" in page.content

    response = client.post(_url("packet-list", demo), {"version": 2, "sections": ["directory", "protocol"]})

    packet = AgreementPacket.objects.get()
    assert response.status_code == 302 and response["Location"] == packet.get_absolute_url()
    assert packet.sections == ["directory", "protocol"] and packet.requested_by == demo["legal"]
    status = client.get(packet.get_absolute_url())
    assert b"Queued" in status.content and b"<li>Contact directory of the parties</li>" in status.content


def test_a_refused_request_keeps_the_choices_and_says_why(client, demo):
    approve(demo)
    client.force_login(demo["legal"])
    response = client.post(_url("packet-list", demo), {"version": 2, "sections": ["raci", "comments"]})

    assert response.status_code == 400
    assert "This version cannot have: Open review comments" in response.content.decode()
    assert response.context["form"]["sections"].value() == ["raci", "comments"]
    assert not AgreementPacket.objects.exists()


def test_a_built_packet_shows_pages_size_and_hash_and_downloads_for_a_legal_reviewer(client, demo):
    packet, job, _, _ = build(demo, sections=[])
    client.force_login(demo["legal"])

    page = client.get(packet.get_absolute_url())
    download = client.get(_url("packet-download", demo, packet_id=packet.pk))

    assert packet.sha256.encode() in page.content and f"{packet.page_count}".encode() in page.content
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert job.filename in download["Content-Disposition"]


def test_the_status_partial_polls_until_the_packet_is_built(client, demo):
    mou = demo["mou"]
    packet, _ = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                        sections=[])
    client.force_login(demo["legal"])
    waiting = client.get(packet.get_absolute_url(), headers={"HX-Request": "true"})
    job_run(job_id=packet.job_id)
    done = client.get(packet.get_absolute_url(), headers={"HX-Request": "true"})

    assert b'hx-trigger="every 2s"' in waiting.content and b"<html" not in waiting.content
    assert b"hx-trigger" not in done.content and b"Download" in done.content


def test_the_agreement_page_offers_a_packet_to_those_who_export(client, demo):
    client.force_login(demo["legal"])
    assert b'data-testid="build-packet"' in client.get(demo["mou"].get_absolute_url()).content
    client.force_login(User.objects.get(email="member@example.org"))
    assert b'data-testid="build-packet"' not in client.get(demo["mou"].get_absolute_url()).content


def test_an_approved_agreement_records_who_approved_it_and_a_new_draft_clears_it(demo):
    mou = approve(demo)
    assert mou.approved_by == demo["legal"] and mou.approved_at is not None
    services.agreement_new_draft(actor=demo["coordinator"], agreement=mou)
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.DRAFT and mou.approved_at is None and mou.approved_by is None


def test_progress_says_which_section_is_being_built_then_layout_then_writing(demo):
    from tempfile import SpooledTemporaryFile

    mou = demo["mou"]
    packet, _ = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                        sections=[PacketSection.DIRECTORY, PacketSection.COMMENTS])
    seen: list[tuple[int, str]] = []
    with SpooledTemporaryFile() as output:
        packets.run_agreement_packet(job=packet.job, set_progress=lambda p, note="": seen.append((p, note)),
                                     output=output)
    notes = [note for _, note in seen]

    assert notes[:4] == ["Section 1 of 4: the agreement", "Section 2 of 4: Exhibit A: Contact directory of the parties",
                         "Section 3 of 4: Appendix: Open review comments", "Section 4 of 4: signature pages"]
    assert notes[4] == "Laying out the pages" and re.fullmatch(r"Writing the PDF \(\d+ pages\)", notes[5])
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)


def test_for_counsel_who_redline_in_word_a_zip_holds_the_agreement_as_docx_and_the_rest_as_pdf(demo):
    import zipfile

    import docx

    mou = demo["mou"]
    packet, created = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                              sections=[PacketSection.RACI], as_zip=True)
    pdf_only, created_pdf = services.packet_request(actor=demo["legal"], agreement=mou,
                                                    version=mou.versions.get(number=2), sections=[PacketSection.RACI])
    job = job_run(job_id=packet.job_id)

    assert created and created_pdf and pdf_only.pk != packet.pk  # a different packet, not the same one
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.filename.endswith("-v2-packet.zip")
    with job.result.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        assert [name.rsplit("-v2", 1)[1] for name in names] == [".docx", "-exhibits-and-signatures.pdf"]
        document = docx.Document(io.BytesIO(archive.read(names[0])))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(archive.read(names[1]))).pages]
    assert any("Call Transfer" in paragraph.text for paragraph in document.paragraphs)
    text = "\n".join(pages)
    assert "Exhibit A: Roles and responsibilities" in text and "Signature pages" in text
    assert "The agreement\n" not in pages[1] and "is the Word file that comes with this PDF" in pages[0]
    packet.refresh_from_db()
    assert packet.page_count == len(pages)


def test_no_page_ends_with_a_heading(demo):
    _, _, _, pages = build(demo)
    mou = demo["mou"]
    from agreements.selectors import render_version

    clauses = {f"{c.number}. {c.title}" for c in render_version(mou.versions.get(number=2)).clauses}
    headings = clauses | {"The agreement", "Parties", "Terms", "Risk levels", "Decision tree", "Decision-point matrix",
                          "Signature pages"}
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line) and line != "DRAFT"
                and not line.startswith(mou.title)]
        assert body and body[-1] not in headings, f"page {number} ends with the heading “{body[-1]}”"


# --- What a review of the packets found ------------------------------------------------------------


def test_a_packet_is_not_found_under_another_agreements_address(client, demo):
    packet, _, _, _ = build(demo, sections=[])
    mou = demo["mou"]
    parties = [{"organization": party.organization} for party in mou.parties.all()]
    other = services.agreement_create(actor=demo["coordinator"], workgroup=demo["county"], template=mou.template,
                                      title="Another MOU", parties=parties)
    client.force_login(demo["legal"])
    for name in ("packet-detail", "packet-download"):
        url = reverse(f"agreements:{name}", kwargs={"slug": demo["county"].slug, "agreement_id": other.pk,
                                                   "packet_id": packet.pk})
        assert client.get(url).status_code == 404


def test_executing_keeps_the_approval_and_a_new_draft_or_requested_changes_carry_none(demo):
    mou = approve(demo)
    approved_at = mou.approved_at
    for party in mou.parties.all():
        services.party_record_signature(actor=demo["coordinator"], party=party, signed_on=date(2026, 11, 1))
    approve_for_every_party(mou, demo["coordinator"])
    executed = services.agreement_execute(actor=demo["coordinator"], agreement=mou)
    assert executed.approved_at == approved_at and executed.approved_by == demo["legal"]

    draft = services.agreement_new_draft(actor=demo["coordinator"], agreement=executed)
    mou = Agreement.objects.get(pk=draft.agreement_id)
    assert mou.approved_at is None  # the new draft is not approved
    services.agreement_submit(actor=demo["coordinator"], agreement=mou)
    changes = services.agreement_request_changes(actor=demo["legal"], agreement=Agreement.objects.get(pk=mou.pk))
    assert changes.approved_at is None and changes.approved_by is None


def test_nothing_is_built_again_in_an_archived_workgroup(demo):
    from django.core.exceptions import PermissionDenied

    from toolkit.services import workgroup_archive

    packet, _, _, _ = build(demo, sections=[])
    Job.objects.filter(pk=packet.job_id).update(status=JobStatus.FAILED)
    workgroup_archive(actor=demo["coordinator"], workgroup=demo["county"])
    packet.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.packet_retry(actor=demo["legal"], packet=packet)
    assert Job.objects.filter(kind=packets.KIND).count() == 1


def test_the_packet_list_reads_the_same_number_of_rows_for_one_packet_or_twenty(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mou = demo["mou"]
    version = mou.versions.get(number=2)
    client.force_login(demo["legal"])
    url = _url("packet-list", demo)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    AgreementPacket.objects.create(workgroup=demo["county"], agreement=mou, version=version, options_key="a",
                                   requested_by=demo["legal"])
    one = count()
    AgreementPacket.objects.bulk_create([
        AgreementPacket(workgroup=demo["county"], agreement=mou, version=version, options_key=f"k{n}",
                        requested_by=demo["legal"],
                        job=Job.objects.create(workgroup=demo["county"], kind=packets.KIND, status=JobStatus.SUCCEEDED))
        for n in range(19)])
    assert count() == one


def test_a_packet_asked_for_with_comments_and_built_after_approval_fails_saying_why(demo):
    mou = demo["mou"]
    packet, _ = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                        sections=[PacketSection.COMMENTS])
    approve(demo)
    job = job_run(job_id=packet.job_id)

    assert job.status == JobStatus.FAILED
    assert job.error_message.startswith("Version 2 can no longer have: Open review comments")


def test_only_the_packets_current_build_writes_it(demo):
    from toolkit.services import job_create

    mou = demo["mou"]
    packet, _ = services.packet_request(actor=demo["legal"], agreement=mou, version=mou.versions.get(number=2),
                                        sections=[])
    stray = job_create(actor=demo["legal"], workgroup=demo["county"], kind=packets.KIND,
                       params={"packet_id": packet.pk})
    done = job_run(job_id=stray.pk)

    assert done.status == JobStatus.FAILED and "newer build" in done.error_message
    packet.refresh_from_db()
    assert packet.job_id != stray.pk and packet.sha256 == ""


def test_retry_on_the_jobs_page_builds_the_packet_too(client, demo, monkeypatch):
    from triage import diagram

    def too_slow(*args, **kwargs):
        raise diagram.DiagramError(diagram.TIMED_OUT)

    working = diagram.draw_svg
    monkeypatch.setattr(diagram, "draw_svg", too_slow)
    packet, failed, _, _ = build(demo, sections=[PacketSection.PROTOCOL])
    monkeypatch.setattr(diagram, "draw_svg", working)
    client.force_login(demo["legal"])

    response = client.post(reverse("toolkit:job-retry", kwargs={"slug": demo["county"].slug, "job_id": failed.pk}))
    retry = Job.objects.get(retry_of=failed)
    done = job_run(job_id=retry.pk)
    packet.refresh_from_db()

    assert response.status_code == 302 and done.status == JobStatus.SUCCEEDED, done.error_message
    assert packet.job_id == retry.pk and packet.page_count


def test_agreements_approved_before_approvals_were_recorded_get_them_from_history(demo):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("agreements.migrations.0007_backfill_approvals").backfill
    approve(demo)
    Agreement.objects.filter(pk=demo["mou"].pk).update(approved_at=None, approved_by=None)

    backfill(apps, None)

    mou = Agreement.objects.get(pk=demo["mou"].pk)
    assert mou.approved_by == demo["legal"] and mou.approved_at is not None


def test_a_packet_with_the_contact_directory_is_on_the_audit_trail_when_built_and_each_time_it_is_downloaded(
    demo, client
):
    from agreements.models import PacketSection
    from toolkit.models import AuditAction

    packet, job, _, _ = build(demo, sections=[PacketSection.DIRECTORY])
    bare, bare_job, _, _ = build(demo, sections=[])
    client.force_login(demo["coordinator"])
    for built in (job, bare_job):
        assert client.get(f"/w/{demo['county'].slug}/jobs/{built.pk}/download/").status_code == 200

    exported = AuditEvent.objects.get(action=AuditAction.EXPORTED, object_type="agreements.agreementpacket")
    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (exported.actor, exported.object_id) == (demo["legal"], str(packet.pk))
    assert exported.changes[0]["new"] == "Agreement packet with the parties' contact directory"
    assert (downloaded.actor, downloaded.object_id) == (demo["coordinator"], str(job.pk))  # not the bare one
