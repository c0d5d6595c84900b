"""The import pages (incidents.views.imports): upload → columns → check → preview → import, as a person clicks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import imports
from incidents.models import Incident, IncidentImport
from incidents.tests.test_imports import GUESSED, HEADER, checked, csv_bytes, line, run_latest, upload
from toolkit.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def upload_url(workgroup) -> str:
    return reverse("incidents:import-upload", kwargs={"slug": workgroup.slug})


def preview_url(incident_import: IncidentImport, slug: str | None = None) -> str:
    return reverse("incidents:import-preview", kwargs={"slug": slug or incident_import.workgroup.slug,
                                                       "incident_import_id": incident_import.pk})


def test_upload_columns_check_preview_and_import(client, workgroup, qa_reviewer):
    client.force_login(qa_reviewer)

    response = client.post(upload_url(workgroup), {"file": SimpleUploadedFile("past.csv", csv_bytes(line(), line()))})

    incident_import = IncidentImport.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(incident_import)
    page = client.get(preview_url(incident_import)).content.decode()
    assert "Which column holds what?" in page and 'data-testid="mapping-form"' in page
    assert '<option value="Event type" selected>' in page  # the guess, preselected

    response = client.post(preview_url(incident_import), {"action": "map", **GUESSED}, follow=True)
    page = response.content.decode()
    assert "past.csv is checked row by row (status below)" in page and 'data-phase="checking"' in page
    run_latest(incident_import, imports.CHECK_JOB)

    page = client.get(preview_url(incident_import)).content.decode()
    assert "The file is clean: 2 incidents will be added (2 submitted for review, 0 closed)" in page
    assert "The transfer line rang out twice." in page and 'value="confirm"' in page
    assert not Incident.objects.exists()

    page = client.post(preview_url(incident_import), {"action": "confirm"}, follow=True).content.decode()
    assert "You asked to import past.csv; the status below follows it." in page and 'data-phase="importing"' in page
    run_latest(incident_import, imports.IMPORT_JOB)

    page = client.get(preview_url(incident_import)).content.decode()
    assert "2 incidents." in page and 'data-testid="import-status"' in page
    again = client.post(preview_url(incident_import), {"action": "confirm"}, follow=True).content.decode()
    assert "This import was already imported; it cannot be imported again." in again
    assert Incident.objects.count() == 2 and Job.objects.filter(kind=imports.IMPORT_JOB).count() == 1


def test_a_wrong_mapping_answers_400_and_keeps_the_choices(client, workgroup, qa_reviewer):
    incident_import = upload(workgroup, qa_reviewer, csv_bytes(line()))
    client.force_login(qa_reviewer)

    response = client.post(preview_url(incident_import), {"action": "map", **GUESSED, "narrative": "",
                                                           "organizations": "Event type"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the column that holds this." in page and "is chosen for Category already" in page
    assert page.count('<option value="Event type" selected>') == 2
    incident_import.refresh_from_db()
    assert incident_import.mapping == {} and not Job.objects.exists()


def test_an_unusable_upload_answers_400_with_the_reason(client, workgroup, coordinator):
    client.force_login(coordinator)
    response = client.post(upload_url(workgroup), {"file": SimpleUploadedFile("x.csv", b"a;b;c;d;e\n1;2;3;4;5\n")})
    assert response.status_code == 400 and "separated by semicolons" in response.content.decode()
    assert not IncidentImport.objects.exists()


def test_the_preview_follows_a_running_job_with_htmx_and_reloads_when_it_ends(client, workgroup, qa_reviewer):
    incident_import = upload(workgroup, qa_reviewer, csv_bytes(line()))
    imports.incident_import_map(actor=qa_reviewer, incident_import=incident_import, mapping=GUESSED)
    Job.objects.filter(kind=imports.CHECK_JOB).update(status=JobStatus.RUNNING, progress=40)
    client.force_login(qa_reviewer)

    partial = client.get(preview_url(incident_import), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-progress="40"' in partial and "<html" not in partial

    Job.objects.filter(kind=imports.CHECK_JOB).update(status=JobStatus.QUEUED, progress=0)
    run_latest(incident_import, imports.CHECK_JOB)
    assert client.get(preview_url(incident_import), HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_the_preview_shows_the_first_problems_and_links_the_report_with_fixed_queries(client, workgroup,
                                                                                      qa_reviewer):
    client.force_login(qa_reviewer)
    small = checked(workgroup, qa_reviewer, csv_bytes(line(), line(**{"Event type": "?"})))
    client.get(preview_url(small))
    with CaptureQueriesContext(connection) as few:
        client.get(preview_url(small))

    big = checked(workgroup, qa_reviewer, csv_bytes(*[line(), line(**{"Event type": "?"})] * 60))
    client.get(preview_url(big))
    with CaptureQueriesContext(connection) as many:
        page = client.get(preview_url(big)).content.decode()

    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)
    assert "60 problems in 120 rows" in page and "The first 50 problems; the report has all 60." in page
    assert page.count("“?” is not one of") == 50
    report_url = reverse("toolkit:job-download", kwargs={"slug": workgroup.slug,
                                                         "job_id": Job.objects.filter(kind=imports.CHECK_JOB)
                                                         .latest("pk").pk})
    assert report_url in page and 'value="confirm"' not in page
    assert "The first 20 of 60 incidents." in page


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "viewer"])
def test_people_who_do_not_review_are_refused_both_pages(client, workgroup, people, role):
    incident_import = upload(workgroup, people["qa_reviewer"], csv_bytes(line()))
    client.force_login(people[role])
    assert client.get(upload_url(workgroup)).status_code == 403
    assert client.get(preview_url(incident_import)).status_code == 403
    assert client.post(preview_url(incident_import), {"action": "discard"}).status_code == 403
    assert IncidentImport.objects.get().status == "pending"


def test_another_workgroups_import_is_not_found(client, workgroup, other_workgroup, outsider, qa_reviewer):
    theirs = upload(other_workgroup, outsider, csv_bytes(line()))
    client.force_login(qa_reviewer)
    assert client.get(preview_url(theirs, slug=workgroup.slug)).status_code == 404
    assert client.post(preview_url(theirs, slug=workgroup.slug), {"action": "discard"}).status_code == 404
    assert client.get(preview_url(theirs)).status_code == 404
    assert IncidentImport.objects.get().status == "pending"


def test_discard_from_the_page_goes_back_to_the_upload(client, workgroup, coordinator):
    incident_import = upload(workgroup, coordinator, csv_bytes(line()))
    client.force_login(coordinator)
    response = client.post(preview_url(incident_import), {"action": "discard"}, follow=True)
    assert response.redirect_chain == [(upload_url(workgroup), 302)]
    assert "was discarded; nothing was imported." in response.content.decode()
    incident_import.refresh_from_db()
    assert incident_import.status == "discarded" and not incident_import.file


@pytest.mark.browser
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_reviewer_maps_checks_and_imports_a_file(page, workgroup, qa_reviewer, artifacts_dir,
                                                                   worker_media):
    """On a real Celery worker (it reads the uploaded file from the shared media folder)."""
    from partners.tests.factories import OrganizationFactory
    from toolkit.tests.factories import TEST_PASSWORD

    OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    categories = ("Delay", "Failed or dropped transfer", "technical", "Miscommunication between teams")
    rows = [line(Agencies="Riverbend County 911", Occurred=f"2025-0{n}-04 14:05", Reported=f"2025-0{n}-04 16:00",
                 **{"Event type": category}) for n, category in enumerate(categories, start=1)]
    header = ("Type of event", *HEADER[1:])
    data = csv_bytes(*({"Type of event": "near_miss", **row} for row in rows), header=header)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(qa_reviewer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(upload_url(workgroup))
    page.screenshot(path=artifacts_dir / "incidents-import-upload.png", full_page=True)
    page.get_by_label("CSV file of past incidents").set_input_files(
        files=[{"name": "past-incidents.csv", "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="Upload").click()
    page.get_by_test_id("mapping-form").wait_for()
    page.get_by_label("Class", exact=True).select_option("Type of event")  # not guessed: the person chooses it
    page.screenshot(path=artifacts_dir / "incidents-import-mapping.png", full_page=True)
    page.get_by_test_id("mapping-save").click()
    page.get_by_test_id("import-ready").wait_for(timeout=60_000)  # the worker checks it; the page reloads itself
    page.screenshot(path=artifacts_dir / "incidents-import-preview.png", full_page=True)
    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-status").wait_for(timeout=60_000)
    page.screenshot(path=artifacts_dir / "incidents-import-done.png", full_page=True)
    assert Incident.objects.count() == 4

    page.goto(upload_url(workgroup))
    page.get_by_label("CSV file of past incidents").set_input_files(files=[{
        "name": "with-problems.csv", "mimeType": "text/csv",
        "buffer": csv_bytes(line(), line(**{"Event type": "Bad weather"}), line(Agencies="Harbor Crisis Line"),
                            line(Occurred="2025-03-04 14:05", Reported="2025-03-04 13:00"))}])
    page.get_by_role("button", name="Upload").click()
    page.get_by_test_id("mapping-save").click()
    page.get_by_test_id("import-errors").wait_for(timeout=60_000)
    page.screenshot(path=artifacts_dir / "incidents-import-problems.png", full_page=True)
    assert page.console_errors == []
