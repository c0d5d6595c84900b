"""Text documents cannot hold: forms refuse it or clean it; every renderer survives rows saved before that.

The renderers: the vCard download, the CSV export, the power–interest SVG (page and download) and the
partner map PDF. No database keeps a lone surrogate in a text column, so that one reaches the
renderers in memory, as the data they are handed.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET  # noqa: S405 (parses only SVG our own code produced)

import pytest
import vobject
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from partners import directory_io, reports, selectors, services
from partners.charts import GridPoint, power_interest_svg
from partners.forms import ContactForm, FunctionForm, OrganizationForm
from partners.models import Contact, InteropFunction, Organization, Sector
from partners.tests.factories import ContactFactory, OrganizationFactory
from partners.views.directory import contact_vcard_text
from toolkit import services as core_services
from toolkit.models import Job, JobStatus

BASE = "/w/riverbend/partners"
HOSTILE = ["\x0b", "\x01", "\x1b", "\ud800"]  # Word's line break, two controls XML forbids, half an emoji
IDS = ["vertical-tab", "soh", "escape", "lone-surrogate"]


@pytest.fixture
def harbor(workgroup):
    organization = OrganizationFactory(workgroup=workgroup, name="Harbor Crisis Line", jurisdiction="Harbor County")
    ContactFactory(organization=organization, name="Dana Reyes", title="Director", is_primary=True)
    return organization


def _hostile(char: str) -> dict[str, str]:
    return {"name": f"Harbor{char} Crisis Line", "contact": f"Dana{char} Reyes", "title": f"Dir{char}ector"}


def _write_hostile_rows(organization: Organization, char: str) -> bool:
    """Write straight into the database, as rows saved before the normaliser existed. False if it refuses."""
    text = _hostile(char)
    try:
        with transaction.atomic():
            Organization.objects.filter(pk=organization.pk).update(name=text["name"], notes=f"a{char}b")
            Contact.objects.filter(organization=organization).update(name=text["contact"], title=text["title"])
    except (DatabaseError, UnicodeEncodeError, ValueError):
        return False
    return True


# --- In: forms refuse or clean ----------------------------------------------------------------


def _organization_data(workgroup, **fields) -> dict:
    sector = Sector.objects.get(workgroup=workgroup, key="988-center")
    return {"name": "Harbor Crisis Line", "sector": sector.pk, "org_type": "provider",
            "engagement_status": "identified", "influence": "3", "impact": "3", "interest": "3",
            "current_engagement": "unaware", "desired_engagement": "supportive", **fields}


@pytest.mark.parametrize("char", ["\x01", "\x1b"], ids=["soh", "escape"])
def test_a_control_character_in_a_form_is_refused_with_the_text_kept(client, workgroup, member, char):
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/new/", _organization_data(workgroup, name=f"Harbor{char}Line",
                                                                         notes="Met on 3 May"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "cannot be kept in documents" in page
    assert "Met on 3 May" in page
    assert not Organization.objects.exists()


def test_words_line_break_becomes_a_space_in_a_name_and_a_newline_in_notes(client, workgroup, member):
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/new/", _organization_data(
        workgroup, name="Harbor\x0bCrisis Line", notes="First line\x0bsecond line"))

    assert response.status_code == 302
    organization = Organization.objects.get()
    assert (organization.name, organization.notes) == ("Harbor Crisis Line", "First line\nsecond line")


@pytest.mark.parametrize("char", ["\x01", "\ud800"], ids=["soh", "lone-surrogate"])
def test_every_partner_form_refuses_what_documents_cannot_hold(workgroup, char):
    # A browser cannot send a lone surrogate (it is not UTF-8), so the forms are asked directly.
    forms = [
        OrganizationForm(_organization_data(workgroup, name=f"Harbor{char}"), workgroup=workgroup),
        ContactForm({"name": f"Dana{char}", "workgroup_role": "voting", "turnover_risk": "low"}),
        FunctionForm({"name": f"Warm{char} line"}, action="/"),
    ]

    for form in forms:
        assert not form.is_valid()
        assert "name" in form.errors, type(form).__name__


def test_a_contact_with_a_control_character_is_refused_and_the_typed_text_kept(client, harbor, member):
    client.force_login(member)

    response = client.post(f"{BASE}/contacts/{harbor.contacts.get().pk}/edit/", {
        "name": "Dana\x1bReyes", "title": "Head of partnerships", "workgroup_role": "voting", "turnover_risk": "low"})

    assert response.status_code == 400
    assert "Head of partnerships" in response.content.decode()
    assert harbor.contacts.get().name == "Dana Reyes"


def test_a_search_with_a_control_character_is_ignored_and_said_so(client, harbor, viewer):
    client.force_login(viewer)

    response = client.get(f"{BASE}/organizations/", {"q": "Harbor\x01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="filter-ignored"' in page and "The search was ignored" in page
    assert "Harbor Crisis Line" in page


# --- Out: the renderers survive old rows ------------------------------------------------------


@pytest.mark.parametrize("char", HOSTILE, ids=IDS)
def test_the_vcard_is_a_valid_card_whatever_old_rows_hold(client, harbor, viewer, char):
    stored = _write_hostile_rows(harbor, char)
    assert stored == (char != "\ud800")  # no database keeps a lone surrogate in a text column
    contact = Contact.objects.select_related("organization").get(organization=harbor)
    client.force_login(viewer)

    if stored:
        response = client.get(f"{BASE}/contacts/{contact.pk}/vcard/")
        assert response.status_code == 200
        text = response.content.decode("utf-8")
    else:
        contact.name, contact.title = _hostile(char)["contact"], _hostile(char)["title"]
        contact.organization.name = _hostile(char)["name"]
        text = contact_vcard_text(contact)
        text.encode("utf-8")  # would raise for a lone surrogate

    card = vobject.readOne(text)
    assert "Dana" in card.fn.value and "Reyes" in card.fn.value and char not in card.fn.value
    assert char not in card.title.value and char not in card.org.value[0]


@pytest.mark.parametrize("char", HOSTILE, ids=IDS)
def test_the_csv_export_is_clean_utf8_whatever_old_rows_hold(client, harbor, viewer, monkeypatch, char):
    if not _write_hostile_rows(harbor, char):
        real_list = directory_io.organization_list

        def with_surrogates(**kwargs):
            organizations = list(real_list(**kwargs))
            for organization in organizations:
                organization.name = _hostile(char)["name"]
                for contact in organization.contacts.all():
                    contact.name = _hostile(char)["contact"]
            return organizations

        monkeypatch.setattr(directory_io, "organization_list", with_surrogates)
    client.force_login(viewer)

    response = client.get(f"{BASE}/export.csv")

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["organization"].startswith("Harbor") and rows[0]["organization"].endswith("Crisis Line")
    assert "Dana" in rows[0]["contact_name"]
    assert not any(c in text for c in "\x01\x0b\x1b\ud800")


@pytest.mark.parametrize("char", HOSTILE[:3], ids=IDS[:3])
def test_the_grid_page_and_svg_stay_well_formed_whatever_old_rows_hold(client, harbor, viewer, char):
    assert _write_hostile_rows(harbor, char)
    client.force_login(viewer)

    page = client.get(f"{BASE}/grid/")
    svg = client.get(f"{BASE}/grid.svg")

    assert page.status_code == 200 and svg.status_code == 200
    root = ET.fromstring(svg.content)  # noqa: S314 (well-formed XML)
    assert any("Harbor" in (element.text or "") for element in root.iter())
    assert char.encode() not in svg.content


def test_the_chart_drops_a_lone_surrogate_it_is_handed():
    point = GridPoint(organization_id=1, name="Harbor\ud800 Crisis\x01 Line", influence=4, interest=4, impact=3,
                      current_engagement="neutral", desired_engagement="supportive", url="/x/\ud800")

    for svg in (power_interest_svg([point], title="Grid \ud800\x0b"), power_interest_svg([point] * 200)):
        root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 (encodes, and parses)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def _run_partner_map_pdf(client, workgroup, member) -> Job:
    client.force_login(member)
    client.post(f"/w/{workgroup.slug}/jobs/start/partner_map_pdf/")
    job = Job.objects.get()
    core_services.job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("char", HOSTILE, ids=IDS)
def test_the_partner_map_pdf_is_built_whatever_old_rows_hold(client, workgroup, harbor, member, monkeypatch, char):
    if not _write_hostile_rows(harbor, char):
        real_points, real_organizations = reports.grid_points, selectors._organizations_for_documents

        def points_with_surrogates(**kwargs):
            return [GridPoint(**{**vars(p), "name": _hostile(char)["name"]}) for p in real_points(**kwargs)]

        def organizations_with_surrogates(**kwargs):
            organizations = list(real_organizations(**kwargs))
            for organization in organizations:
                organization.name = _hostile(char)["name"]
                for contact in organization.document_contacts:
                    contact.name = _hostile(char)["contact"]
            return organizations

        monkeypatch.setattr(reports, "grid_points", points_with_surrogates)
        monkeypatch.setattr(selectors, "_organizations_for_documents", organizations_with_surrogates)
    function = InteropFunction.objects.get(workgroup=workgroup, key="receive-assess")
    services.raci_set(actor=member, function=function, organization=harbor, role="A")

    job = _run_partner_map_pdf(client, workgroup, member)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    with job.result.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "Harbor" in text and "Crisis Line" in text and "Dana" in text
    assert char not in text


def test_a_chart_that_cannot_be_drawn_fails_the_partner_map_job(client, workgroup, harbor, member, monkeypatch):
    broken = '<svg xmlns="http://www.w3.org/2000/svg"><text>'
    monkeypatch.setattr(reports, "power_interest_svg", lambda *args, **kwargs: broken)

    job = _run_partner_map_pdf(client, workgroup, member)

    assert job.status == JobStatus.FAILED
    assert "power–interest grid could not be drawn" in job.error_message
    assert not job.result
