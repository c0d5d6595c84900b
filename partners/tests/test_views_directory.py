"""Directory page, CSV export and vCards (partners.views.directory); the import: test_imports_views.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import directory_io
from partners.tests.test_directory_io import csv_bytes, make_contact, make_org, row

pytestmark = pytest.mark.django_db


def url(name: str, workgroup, **kwargs) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": workgroup.slug, **kwargs})


def upload(client, workgroup, data: bytes, filename: str = "directory.csv"):
    return client.post(url("import", workgroup), {"file": SimpleUploadedFile(filename, data, "text/csv")})


@pytest.fixture
def harbor(workgroup):
    org = make_org(workgroup, "Harbor Crisis Line", influence=5, interest=5)
    make_contact(org, "Dana Ortiz", email="dana@harbor.test", phone="+1 202-555-0143", is_primary=True,
                 title="Director")
    return org


@pytest.fixture
def secret(other_workgroup):
    org = make_org(other_workgroup, "Secret Elsewhere Agency", sector_key="911-psap")
    return make_contact(org, "Hidden Person", email="hidden@elsewhere.test")


# --- Directory page ------------------------------------------------------------------------------------


def test_coordinator_sees_the_directory_with_edit_buttons(client, coordinator, harbor):
    client.force_login(coordinator)
    response = client.get(url("directory", harbor.workgroup))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Harbor Crisis Line" in body and "dana@harbor.test" in body and "Manage closely" in body
    assert url("organization-detail", harbor.workgroup, organization_id=harbor.pk) in body
    assert url("contact-vcard", harbor.workgroup, contact_id=harbor.contacts.get().pk) in body
    assert "Add organization" in body and "Import CSV" in body and "Export CSV" in body


def test_viewer_reads_the_directory_without_edit_buttons(client, viewer, harbor):
    client.force_login(viewer)
    body = client.get(url("directory", harbor.workgroup)).content.decode()
    assert "Harbor Crisis Line" in body and "Export CSV" in body
    assert "Add organization" not in body and "Import CSV" not in body


def test_htmx_request_gets_only_the_results(client, coordinator, harbor):
    client.force_login(coordinator)
    response = client.get(url("directory", harbor.workgroup), {"q": "harbor"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Harbor Crisis Line" in body and "<html" not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("query, shown", [
    ({"q": "dana"}, True), ({"q": "nobody"}, False), ({"status": "engaged"}, True), ({"status": "champion"}, False),
    ({"quadrant": "manage_closely"}, True), ({"quadrant": "monitor"}, False), ({"status": "identified"}, False),
])
def test_filters_narrow_the_list(client, coordinator, harbor, query, shown):
    make_org(harbor.workgroup, "Quiet Library", influence=1, interest=1, engagement_status="identified")
    client.force_login(coordinator)
    body = client.get(url("directory", harbor.workgroup), query).content.decode()
    assert ("Harbor Crisis Line" in body) is shown
    assert ("Quiet Library" in body) is (query in ({"quadrant": "monitor"}, {"status": "identified"}))


def test_sector_filter_uses_this_workgroups_sectors(client, coordinator, harbor):
    psap = make_org(harbor.workgroup, "Riverbend 911", sector_key="911-psap")
    client.force_login(coordinator)
    body = client.get(url("directory", harbor.workgroup), {"sector": psap.sector_id}).content.decode()
    assert "Riverbend 911" in body and "Harbor Crisis Line" not in body


def test_a_sector_of_another_workgroup_is_ignored_and_shows_nothing_of_theirs(client, coordinator, harbor, secret):
    client.force_login(coordinator)
    response = client.get(url("directory", harbor.workgroup), {"sector": secret.organization.sector_id})
    body = response.content.decode()
    assert response.status_code == 200
    assert "That sector is not one of this workgroup" in body
    assert "Harbor Crisis Line" in body
    assert "Secret Elsewhere" not in body and "hidden@elsewhere.test" not in body


def test_empty_states_tell_nothing_yet_from_no_match(client, coordinator, workgroup):
    client.force_login(coordinator)
    body = client.get(url("directory", workgroup)).content.decode()
    assert "No organizations on the map yet" in body and url("import", workgroup) in body
    make_org(workgroup, "Harbor Crisis Line")
    body = client.get(url("directory", workgroup), {"q": "zzz"}).content.decode()
    assert "No organization matches these filters" in body and "No organizations on the map yet" not in body


def _orgs_with_contacts(workgroup, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        org = make_org(workgroup, f"Org {n:02d}")
        make_contact(org, f"First {n}", email=f"a{n}@x.test", is_primary=True)
        make_contact(org, f"Second {n}", email=f"b{n}@x.test")


def test_pagination_shows_25_per_page_and_keeps_filters_in_links(client, coordinator, workgroup):
    _orgs_with_contacts(workgroup, 30)
    client.force_login(coordinator)
    first = client.get(url("directory", workgroup), {"status": "engaged"}).content.decode()
    assert first.count("<tr>") == 26  # header + 25
    assert "?status=engaged&amp;page=2" in first
    second = client.get(url("directory", workgroup), {"status": "engaged", "page": 2})
    assert second.content.decode().count("<tr>") == 6  # header + 5
    assert [org.name for org in second.context["page_obj"]][-1] == "Org 29"


def test_directory_query_count_does_not_grow_with_organizations(client, coordinator, workgroup):
    client.force_login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("directory", workgroup)).status_code == 200
        return len(captured)

    _orgs_with_contacts(workgroup, 3)
    few = queries()
    _orgs_with_contacts(workgroup, 27, start=3)
    assert queries() == few


# --- Export and vCard ----------------------------------------------------------------------------------


def test_viewer_exports_the_whole_directory_as_utf8_csv_with_bom(client, viewer, harbor, secret):
    make_org(harbor.workgroup, "Café Crisis Center")
    client.force_login(viewer)
    response = client.get(url("export-csv", harbor.workgroup), {"status": "champion"})  # filters do not apply
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="riverbend-partner-directory.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(directory_io.EXPORT_COLUMNS)
    assert "Café Crisis Center" in text and "Harbor Crisis Line" in text and "Secret" not in text


def test_vcard_of_a_contact(client, viewer, harbor):
    contact = harbor.contacts.get()
    client.force_login(viewer)
    response = client.get(url("contact-vcard", harbor.workgroup, contact_id=contact.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert response["Content-Disposition"] == 'attachment; filename="dana-ortiz.vcf"'
    card = response.content.decode()
    for line in ("FN:Dana Ortiz", "N:Ortiz;Dana;;;", "ORG:Harbor Crisis Line", "TITLE:Director",
                 "EMAIL;TYPE=INTERNET:dana@harbor.test", "TEL;TYPE=WORK:+1 202-555-0143"):
        assert line in card


def test_vcard_of_another_workgroups_contact_is_not_found(client, coordinator, harbor, secret):
    client.force_login(coordinator)
    assert client.get(url("contact-vcard", harbor.workgroup, contact_id=secret.pk)).status_code == 404


# --- Permissions ---------------------------------------------------------------------------------------


def test_outsider_gets_404_everywhere(client, outsider, harbor):
    wg = harbor.workgroup
    client.force_login(outsider)
    for path in (url("directory", wg), url("export-csv", wg), url("import", wg),
                 url("contact-vcard", wg, contact_id=harbor.contacts.get().pk)):
        assert client.get(path).status_code == 404, path
    assert upload(client, wg, csv_bytes(row())).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, workgroup):
    response = client.get(url("directory", workgroup))
    assert response.status_code == 302 and "login" in response["Location"]


# The import screens: test_imports_views.py.


def test_search_words_may_match_the_organization_or_different_contacts_and_many_words_stay_cheap(
    client, workgroup, viewer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.tests.factories import ContactFactory, OrganizationFactory

    harbor = OrganizationFactory(workgroup=workgroup, name="Harbor Crisis Line")
    ContactFactory(organization=harbor, name="Dana Ortiz", email="dana@harbor.test")
    ContactFactory(organization=harbor, name="Sam Lee", email="sam@harbor.test")
    OrganizationFactory(workgroup=workgroup, name="Harbor Fire")
    client.force_login(viewer)

    page = client.get(url("directory", workgroup), {"q": "harbor dana sam"}).content.decode()
    assert "Harbor Crisis Line" in page and "Harbor Fire" not in page
    with CaptureQueriesContext(connection) as ctx:
        client.get(url("directory", workgroup), {"q": " ".join(["harbor"] * 40)})
    search_sql = [q["sql"] for q in ctx.captured_queries if "partners_organization" in q["sql"]]
    assert all("DISTINCT" not in sql for sql in search_sql)
    assert max(sql.count("EXISTS") for sql in search_sql) <= 6  # words beyond six are ignored


# --- Access to the contact list on the audit trail ----------------------------------------------------------------


def test_the_csv_export_of_the_directory_is_on_the_audit_trail(client, viewer, harbor):
    from toolkit.models import AuditAction, AuditEvent

    client.force_login(viewer)
    assert client.get(url("export-csv", harbor.workgroup)).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert (event.actor, event.workgroup, event.object_type) == (viewer, harbor.workgroup, "toolkit.workgroup")
    assert event.changes[0]["new"] == "Partner directory (CSV, every contact)"


def test_a_vcard_download_names_the_contact_on_the_audit_trail_but_browsing_the_directory_does_not(
        client, viewer, harbor):
    from toolkit.models import AuditAction, AuditEvent

    contact = harbor.contacts.get()
    client.force_login(viewer)
    client.get(url("directory", harbor.workgroup))  # routine for members: no row
    assert not AuditEvent.objects.filter(action__in=[AuditAction.VIEWED, AuditAction.DOWNLOADED]).exists()

    assert client.get(url("contact-vcard", harbor.workgroup, contact_id=contact.pk)).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (event.actor, event.object_type, event.object_id) == (viewer, "partners.contact", str(contact.pk))
    assert event.object_repr == str(contact) and event.changes[0]["new"] == "vCard"
