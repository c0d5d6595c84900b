"""Text that documents cannot hold: refused or cleaned by the forms, survived by every renderer.

Rows written before the text normaliser existed may hold Word's vertical tab or control characters;
the charts (SVG), the PDF report, the e-mails and the pages must still come out valid. A lone surrogate
cannot be stored (neither PostgreSQL nor SQLite takes it), so the renderers get it in the data they are handed.
"""

from __future__ import annotations

import re
from fractions import Fraction
from unittest import mock

import lxml.etree
import lxml.html
import pytest
from django.core import mail
from pypdf import PdfReader

from partners.models import Organization
from partners.tests.factories import OrganizationFactory
from readiness import charts, services
from readiness.models import ActionItem, AssessmentRound, Dimension, InstrumentStatus, Item, Respondent, RoundStatus
from readiness.reports import READINESS_REPORT, report_context
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version
from readiness.tests.test_views_results import two_organization_round
from toolkit import services as core_services
from toolkit.models import Job, JobStatus, Workgroup
from toolkit.pdf import render_pdf

pytestmark = pytest.mark.django_db

UNKEEPABLE = ["\x0b", "\x01", "\x1b"]  # Word's line break, and two control characters XML forbids
SURROGATE = "\ud800"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> str:
    root = lxml.etree.fromstring(svg.encode("utf-8"))  # raises on anything that is not well-formed
    return " ".join(" ".join(e.itertext()) for e in root.iter(f"{SVG}text"))


# --- Charts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", [*UNKEEPABLE, SURROGATE])
def test_every_chart_is_well_formed_svg_whatever_the_names_hold(char):
    name, organization = f"Data{char} sharing", f"County{char} PSAP"
    svgs = [
        charts.profile_svg([charts.ProfileBar(f"k{char}", name, Fraction(3))], title=f"Round{char} one"),
        charts.spread_svg([charts.SpreadRow("k", name, {organization: Fraction(2), "Other": Fraction(4)})],
                          title=f"Spread{char}"),
        charts.comparison_svg([f"Spring{char}", "Autumn"], [charts.TrendLine("k", name, [Fraction(2), Fraction(3)])]),
    ]
    for svg in svgs:
        texts = _texts(svg)
        assert "Data" in texts and "sharing" in texts
        assert char not in svg
        svg.encode("utf-8")


# --- Rows stored before the normaliser ------------------------------------------------------------------------


def _poison(round_: AssessmentRound, char: str) -> None:
    """Write the character straight into the database, the way older rows may hold it."""
    workgroup = round_.workgroup
    Workgroup.objects.filter(pk=workgroup.pk).update(name=f"Riverbend{char} County Workgroup")
    AssessmentRound.objects.filter(pk=round_.pk).update(title=f"Spring{char} round", scope_statement=f"All{char}calls")
    Dimension.objects.filter(version=round_.instrument_version, key="lead").update(name=f"Lead{char}ership")
    Item.objects.filter(version=round_.instrument_version, statement="Statement L1").update(
        statement=f"Statement{char} L1")
    Organization.objects.filter(workgroup=workgroup, name="County PSAP").update(name=f"County{char} PSAP")
    Respondent.objects.filter(round=round_).update(organization_name=f"Old{char} name")
    ActionItem.objects.filter(round=round_).update(title=f"Agree{char} shared measures")


@pytest.mark.parametrize("char", UNKEEPABLE)
def test_the_report_pdf_is_built_whatever_older_rows_hold(workgroup, coordinator, char):
    round_, _ = two_organization_round(workgroup)
    ActionItem.objects.create(workgroup=workgroup, round=round_, source_key="item:1", title="Agree shared measures")
    _poison(round_, char)

    job = core_services.job_create(actor=coordinator, workgroup=workgroup, kind=READINESS_REPORT,
                                   params={"round": round_.pk})
    core_services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    with job.result.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(handle).pages).split())
    assert "Lead" in text and "ership" in text and "PSAP" in text and "shared measures" in text
    assert char not in text.replace("\n", " ")


def test_the_report_pdf_drops_a_lone_surrogate_instead_of_failing(workgroup, coordinator):
    round_, _ = two_organization_round(workgroup)
    job = Job(workgroup=workgroup, kind=READINESS_REPORT, params={"round": round_.pk}, requested_by=coordinator)
    context = report_context(job=job)
    context["round"].title = f"Spring{SURROGATE} round"
    context["workgroup"].name = f"Riverbend{SURROGATE} Workgroup"

    pdf = render_pdf("readiness/pdf/report.html", context)

    assert pdf.startswith(b"%PDF")


def test_a_chart_that_cannot_be_drawn_fails_the_report_job(workgroup, coordinator):
    round_, _ = two_organization_round(workgroup)
    job = core_services.job_create(actor=coordinator, workgroup=workgroup, kind=READINESS_REPORT,
                                   params={"round": round_.pk})

    with mock.patch("readiness.reports.charts.spread_svg", return_value="<svg><text>broken</svg>"):
        core_services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.result


@pytest.mark.parametrize("char", UNKEEPABLE)
def test_the_pages_show_older_rows_and_their_charts_stay_valid(client, workgroup, coordinator, char):
    round_, _ = two_organization_round(workgroup)
    later, _ = two_organization_round(workgroup, title="Autumn round")
    ActionItem.objects.create(workgroup=workgroup, round=round_, title="Agree shared measures")
    _poison(round_, char)
    client.force_login(coordinator)
    base = "/w/riverbend/readiness"

    for url in ("/w/riverbend/", f"{base}/", f"{base}/rounds/{round_.pk}/", f"{base}/rounds/{round_.pk}/results/",
                f"{base}/rounds/{round_.pk}/gaps/", f"{base}/actions/",
                f"{base}/compare/?round={round_.pk}&round={later.pk}",
                f"{base}/versions/{round_.instrument_version_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        for svg in re.findall(r"<svg\b.*?</svg>", response.content.decode(), flags=re.S):
            _texts(svg)


# --- E-mails ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", UNKEEPABLE)
def test_invitations_and_reminders_go_out_whatever_older_rows_hold(workgroup, coordinator, member, char):
    round_ = RoundFactory(workgroup=workgroup, title="Spring round")
    organization = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis")
    round_.refresh_from_db()
    Workgroup.objects.filter(pk=workgroup.pk).update(name=f"Riverbend{char} Workgroup")
    AssessmentRound.objects.filter(pk=round_.pk).update(title=f"Spring{char} round", scope_statement=f"All{char}calls")
    Organization.objects.filter(pk=organization.pk).update(name=f"Mobile{char} Crisis")
    round_ = AssessmentRound.objects.select_related("workgroup").get(pk=round_.pk)
    organization.refresh_from_db()
    mail.outbox.clear()

    person = services.respondent_invite_person(actor=coordinator, round=round_, name="Pat Partner",
                                               email="pat@partner.test", organization=organization,
                                               base_url="http://testserver")
    member_respondent(round_, member)
    sent = services.round_send_reminders(round=round_, base_url="http://testserver", actor=coordinator)

    assert not person.invitation_error and sent == 2
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert char not in message.subject and "\n" not in message.subject
        assert char not in message.body
        message.message().as_bytes()  # a message the mail server can take
    assert mail.outbox[0].subject == "Readiness self-assessment: Spring round"
    assert "Mobile" in mail.outbox[0].body or "Pat Partner" in mail.outbox[0].body


def test_an_invitation_drops_a_lone_surrogate_instead_of_failing(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    respondent = link_respondent(round_)
    respondent.round.title = f"Spring{SURROGATE} round"
    respondent.workgroup.name = f"Riverbend{SURROGATE}"
    respondent.name = f"Pat{SURROGATE}"
    mail.outbox.clear()

    services.links.send_invitation(respondent, base_url="http://testserver", inviter=coordinator)

    assert mail.outbox[0].subject == "Readiness self-assessment: Spring round"
    mail.outbox[0].message().as_bytes()


# --- Forms -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x01", "\x1b"])
def test_the_round_form_refuses_control_characters_and_keeps_what_was_typed(client, workgroup, coordinator, char):
    round_ = RoundFactory(workgroup=workgroup, title="Spring round")
    client.force_login(coordinator)

    response = client.post(f"/w/riverbend/readiness/rounds/{round_.pk}/edit/", {
        "title": f"Autumn{char} round", "scope_statement": "Typed scope", "due_date": round_.due_date.isoformat(),
        "action_threshold": "3"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be kept in documents" in page and "Typed scope" in page
    round_.refresh_from_db()
    assert round_.title == "Spring round"


def test_words_line_breaks_become_spaces_in_names_and_newlines_in_longer_text(client, workgroup, coordinator):
    version, _ = small_version(workgroup, status=InstrumentStatus.DRAFT)
    client.force_login(coordinator)

    response = client.post(f"/w/riverbend/readiness/versions/{version.pk}/dimensions/new/", {
        "name": "Staff\x0bturnover", "key": "", "weight": "1", "description": "First line\x0bSecond line"})

    assert response.status_code == 302
    dimension = Dimension.objects.get(version=version, name="Staff turnover")
    assert dimension.description == "First line\nSecond line"


def test_a_free_text_answer_with_a_control_character_is_refused_and_kept(client, workgroup, member):
    version, items = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version)
    respondent = member_respondent(round_, member)
    client.force_login(member)
    url = f"/w/riverbend/readiness/rounds/{round_.pk}/answer/"

    refused = client.post(url, {f"item_{items['L4'].pk}": "Thin\x1b staffing", "save": "1"})
    saved = client.post(url, {f"item_{items['L4'].pk}": "Thin\x0bstaffing", "save": "1"})

    assert refused.status_code == 400 and "cannot be kept in documents" in refused.content.decode()
    assert saved.status_code == 302
    assert respondent.answers.get(item=items["L4"]).text == "Thin\nstaffing"


def test_round_titles_with_old_characters_still_list_on_the_start_page(client, workgroup, viewer):
    round_ = RoundFactory(workgroup=workgroup, title="Spring round")
    AssessmentRound.objects.filter(pk=round_.pk).update(title="Spring\x01 round", status=RoundStatus.CLOSED)
    client.force_login(viewer)

    doc = lxml.html.fromstring(client.get("/w/riverbend/readiness/").content)

    assert len(doc.xpath('//*[@data-testid="round-row"]')) == 1


# --- Older rows still change: only what a person types now is refused -------------------------------------


@pytest.mark.parametrize("char", ["\x01", "\x0b"])
def test_rows_holding_older_text_can_still_be_closed_copied_and_answered(client, workgroup, coordinator, char):
    version, items = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title="Spring round")
    respondent = link_respondent(round_, name="Pat Partner")
    AssessmentRound.objects.filter(pk=round_.pk).update(title=f"Spring{char} round")
    Dimension.objects.filter(version=version, key="lead").update(name=f"Lead{char}ership")
    Item.objects.filter(pk=items["L1"].pk).update(statement=f"Statement{char} L1")
    Respondent.objects.filter(pk=respondent.pk).update(organization_name=f"Old{char} name", name=f"Pat{char} Partner")
    round_.refresh_from_db()
    respondent.refresh_from_db()

    draft = services.version_new_draft(actor=coordinator, from_version=version)
    saved = services.response_save(respondent=respondent, answers={items["L1"].pk: "4"}, role_title="Director")
    closed = services.round_close(actor=coordinator, round=round_)

    assert draft.dimensions.get(key="lead").name == ("Lead ership" if char == "\x0b" else "Leadership")
    assert saved.started_at is not None and saved.answers.count() == 1
    assert closed.status == RoundStatus.CLOSED and char not in closed.title


def test_the_edit_forms_offer_older_text_without_what_documents_cannot_hold(client, workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup, title="Spring round")
    action = ActionItem.objects.create(workgroup=workgroup, title="Agree measures")
    AssessmentRound.objects.filter(pk=round_.pk).update(title="Spring\x01 round")
    ActionItem.objects.filter(pk=action.pk).update(title="Agree\x1b measures")
    client.force_login(coordinator)

    for url, typed in ((f"/w/riverbend/readiness/rounds/{round_.pk}/edit/", "Spring round"),
                       (f"/w/riverbend/readiness/actions/{action.pk}/edit/", "Agree measures")):
        doc = lxml.html.fromstring(client.get(url).content)
        assert doc.xpath('//input[@name="title"]/@value') == [typed]
