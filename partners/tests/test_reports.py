"""The partner map PDF: built by the job runner, with this workgroup's data and nobody else's."""

from __future__ import annotations

from pypdf import PdfReader

from partners import services
from partners.models import InteropFunction
from partners.tests.factories import ContactFactory, OrganizationFactory, sector
from toolkit import services as core_services
from toolkit.models import Job, JobStatus


def _text(job: Job) -> str:
    job.refresh_from_db()
    with job.result.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    return " ".join(text.split())  # table cells wrap lines; compare words


def test_the_partner_map_pdf_has_coverage_grid_raci_and_directory(
    client, workgroup, other_workgroup, member, outsider
):
    crisis_line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line", sector=sector(workgroup))
    ContactFactory(organization=crisis_line, name="Maya Okonkwo", email="maya@crisis.test", is_primary=True)
    function = InteropFunction.objects.filter(workgroup=workgroup, key="receive-assess").get()
    services.raci_set(actor=member, function=function, organization=crisis_line, role="A")
    OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret Org")
    client.force_login(member)

    response = client.post(f"/w/{workgroup.slug}/jobs/start/partner_map_pdf/")
    job = Job.objects.get()
    core_services.job_run(job_id=job.pk)  # what the worker does (the worker path is tested in toolkit)

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    text = _text(job)
    assert "Core sectors: 1/11" in text
    assert "Riverbend Crisis Line" in text
    assert "maya@crisis.test" in text
    assert "Receive and assess a crisis call" in text
    assert "No one is responsible" in text
    assert "Elsewhere Secret Org" not in text
    assert len(PdfReader(job.result.open("rb")).pages) >= 4


def test_a_viewer_cannot_start_the_partner_map_pdf(client, workgroup, viewer):
    client.force_login(viewer)

    assert client.post(f"/w/{workgroup.slug}/jobs/start/partner_map_pdf/").status_code == 403
    assert not Job.objects.exists()


def test_an_unknown_kind_of_job_is_not_found(client, workgroup, member):
    client.force_login(member)

    assert client.post(f"/w/{workgroup.slug}/jobs/start/no_such_kind/").status_code == 404


def test_the_printed_directory_gives_each_organization_its_primary_contact_and_counts_the_rest(workgroup):
    from partners.selectors import directory

    crisis_line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line", sector=sector(workgroup))
    ContactFactory(organization=crisis_line, name="Zoe Primary", is_primary=True)
    for name in ("Amy Staff", "Ben Staff", "Cal Staff"):
        ContactFactory(organization=crisis_line, name=name)
    OrganizationFactory(workgroup=workgroup, name="Quiet Partner", sector=sector(workgroup))

    printed = directory(workgroup=workgroup, contacts_per_organization=1)
    everyone = directory(workgroup=workgroup)

    assert [(e.organization, e.contact_name, e.more_contacts) for e in printed] == [
        ("Quiet Partner", "", 0), ("Riverbend Crisis Line", "Zoe Primary", 3)]
    assert [e.contact_name for e in everyone] == ["", "Zoe Primary", "Amy Staff", "Ben Staff", "Cal Staff"]


def test_building_and_each_download_of_the_partner_map_is_on_the_audit_trail(client, workgroup, member, coordinator):
    """Its directory section is a contact list: who took it, and when, is what an auditor asks."""
    from toolkit.models import AuditAction, AuditEvent

    client.force_login(member)
    client.post(f"/w/{workgroup.slug}/jobs/start/partner_map_pdf/")
    job = Job.objects.get()
    core_services.job_run(job_id=job.pk)
    client.force_login(coordinator)
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/").status_code == 200

    exported = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (exported.actor, exported.object_type) == (member, "toolkit.workgroup")
    assert exported.changes[0]["new"] == "Partner map PDF with the contact directory"
    assert (downloaded.actor, downloaded.object_type, downloaded.object_id) == (coordinator, "toolkit.job", str(job.pk))
