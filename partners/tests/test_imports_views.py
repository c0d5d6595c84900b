"""The import pages (partners.views.imports): upload → check job → preview → import job, as a person clicks.

Jobs run in-process (``job_run``) where a worker would pick them up.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import directory_io, imports
from partners.models import Contact, DirectoryImport, ImportStatus, Organization
from partners.tests.test_directory_io import csv_bytes, row, sector_of, stored_import
from partners.tests.test_imports import rows, run_latest
from toolkit.models import Job, JobStatus

pytestmark = pytest.mark.django_db

NO_CONTACT = {column: "" for column in directory_io.CONTACT_COLUMNS}


def url(name: str, workgroup, **kwargs) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": workgroup.slug, **kwargs})


def preview_url(directory_import: DirectoryImport) -> str:
    return url("import-preview", directory_import.workgroup, directory_import_id=directory_import.pk)


def post_file(client, workgroup, data: bytes, filename: str = "partners.csv"):
    return client.post(url("import", workgroup), {"file": SimpleUploadedFile(filename, data, "text/csv")})


def test_upload_check_preview_import_and_the_result(client, member, workgroup):
    sector_of(workgroup)
    client.force_login(member)

    response = post_file(client, workgroup, "\ufeff".encode() + csv_bytes(row(), row(organization="Quiet",
                                                                                   **NO_CONTACT)))

    directory_import = DirectoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(directory_import)
    checking = client.get(response["Location"]).content.decode()
    assert "is uploaded; the status below follows the check" in checking and "Waiting for a worker" in checking
    check_job = Job.objects.get(kind=imports.CHECK_JOB)
    assert reverse("toolkit:job-detail", kwargs={"slug": workgroup.slug, "job_id": check_job.pk}) in checking

    run_latest(directory_import, imports.CHECK_JOB)
    preview = client.get(preview_url(directory_import)).content.decode()
    assert "The file is clean: 2 organizations and 1 contact will be added" in preview
    assert "Harbor Crisis Line" in preview and "Dana Ortiz" in preview and 'value="confirm"' in preview
    assert not Organization.objects.exists()

    response = client.post(preview_url(directory_import), {"action": "confirm"}, follow=True)
    assert "You asked to import partners.csv; the status below follows it." in response.content.decode()
    assert 'data-phase="importing"' in response.content.decode()
    run_latest(directory_import, imports.IMPORT_JOB)

    done = client.get(preview_url(directory_import)).content.decode()
    assert "2 organizations and 1 contact" in done and "Imported" in done
    assert Organization.objects.get(name="Harbor Crisis Line").history.get().history_user == member
    again = client.post(preview_url(directory_import), {"action": "confirm"}, follow=True).content.decode()
    assert "This import was already imported; it cannot be imported again." in again
    assert Job.objects.filter(kind=imports.IMPORT_JOB).count() == 1
    assert (Organization.objects.count(), Contact.objects.count()) == (2, 1)


def test_the_preview_follows_a_running_job_with_htmx_and_reloads_when_it_ends(client, coordinator, workgroup):
    sector_of(workgroup)
    client.force_login(coordinator)
    post_file(client, workgroup, csv_bytes(row()))
    directory_import = DirectoryImport.objects.get()
    Job.objects.filter(kind=imports.CHECK_JOB).update(status=JobStatus.RUNNING, progress=40)

    partial = client.get(preview_url(directory_import), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'data-progress="40"' in partial.content.decode() and "<html" not in partial.content.decode()

    Job.objects.filter(kind=imports.CHECK_JOB).update(status=JobStatus.QUEUED, progress=0)
    run_latest(directory_import, imports.CHECK_JOB)
    finished = client.get(preview_url(directory_import), HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"  # the whole page, now in its new state


def test_the_preview_lists_the_first_fifty_problems_and_links_the_full_report(client, coordinator, workgroup):
    sector_of(workgroup)
    client.force_login(coordinator)
    bad = [row(organization=f"Bad {n}", influence="7", contact_email=f"b{n}@h.test", contact_primary="no")
           for n in range(60)]
    post_file(client, workgroup, csv_bytes(row(contact_email="nope"), *bad))
    directory_import = DirectoryImport.objects.get()
    check_job = run_latest(directory_import, imports.CHECK_JOB)

    preview = client.get(preview_url(directory_import)).content.decode()

    assert "61 problems in 61 rows" in preview
    assert "Fix the file and upload it again; nothing has been imported." in preview
    assert "“nope” is not a valid e-mail address" in preview and "“7” is not a whole number" in preview
    assert preview.count("is not a whole number") == 49  # 50 on the page: the e-mail one and 49 of these
    assert "The first 50 problems; the report has all 61." in preview
    report_url = reverse("toolkit:job-download", kwargs={"slug": workgroup.slug, "job_id": check_job.pk})
    assert report_url in preview
    report = client.get(report_url)
    assert b"".join(report.streaming_content).decode("utf-8-sig").count("is not a whole number") == 60
    assert 'value="confirm"' not in preview
    refused = client.post(preview_url(directory_import), {"action": "confirm"}, follow=True).content.decode()
    assert "The file has problems; nothing was imported." in refused
    assert not Organization.objects.exists() and not Job.objects.filter(kind=imports.IMPORT_JOB).exists()


@pytest.mark.parametrize(("data", "message"), [
    (lambda: b"organization,fax\r\nHarbor,1\r\n", "Missing columns: sector, type"),
    (lambda: csv_bytes(row(organization="café")).replace("é".encode(), "é".encode("latin-1")), "CSV UTF-8"),
    (lambda: csv_bytes(), "no organizations below it"),
])
def test_an_unusable_upload_answers_400_with_the_reason_and_stores_nothing(client, coordinator, workgroup, data,
                                                                            message):
    client.force_login(coordinator)
    response = post_file(client, workgroup, data())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DirectoryImport.objects.exists() and not Job.objects.exists()


def test_a_file_over_the_cap_is_refused_with_a_clear_message(client, coordinator, workgroup, monkeypatch):
    monkeypatch.setattr(directory_io, "MAX_BYTES", 50)
    client.force_login(coordinator)
    response = post_file(client, workgroup, csv_bytes(row()))
    assert response.status_code == 400
    assert f"The file is larger than {directory_io.MAX_MEGABYTES} MB" in response.content.decode()
    assert not DirectoryImport.objects.exists()


def test_discard_forgets_the_file_and_says_so(client, coordinator, workgroup, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(row()))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url(directory_import), {"action": "discard"}, follow=True)

    assert response.redirect_chain[-1][0] == url("import", workgroup)
    assert "partners.csv was discarded; nothing was imported." in response.content.decode()
    directory_import.refresh_from_db()
    assert (directory_import.status, directory_import.file.name) == (ImportStatus.DISCARDED, "")
    assert "This file was discarded" in client.get(preview_url(directory_import)).content.decode()


def test_an_unchecked_file_offers_to_check_it_and_a_pending_one_is_listed_on_the_upload_page(
    client, coordinator, workgroup
):
    client.force_login(coordinator)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(row()), filename="older.csv")

    assert "older.csv" in client.get(url("import", workgroup)).content.decode()
    page = client.get(preview_url(directory_import)).content.decode()
    assert "has not been checked yet" in page and 'value="check"' in page
    response = client.post(preview_url(directory_import), {"action": "check"})
    assert response.status_code == 302
    assert Job.objects.get().kind == imports.CHECK_JOB


def test_a_post_without_a_known_button_answers_400(client, coordinator, workgroup):
    client.force_login(coordinator)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(row()))
    response = client.post(preview_url(directory_import), {"action": "explode"})
    assert response.status_code == 400
    assert "Choose one of the buttons" in response.content.decode()


def test_a_failed_import_explains_itself_on_the_preview(client, coordinator, workgroup):
    sector_of(workgroup)
    client.force_login(coordinator)
    post_file(client, workgroup, csv_bytes(*rows(3)))
    directory_import = DirectoryImport.objects.get()
    run_latest(directory_import, imports.CHECK_JOB)
    client.post(preview_url(directory_import), {"action": "confirm"})
    Organization.objects.create(workgroup=workgroup, name="org 0001", sector=sector_of(workgroup), org_type="other")
    run_latest(directory_import, imports.IMPORT_JOB)

    page = client.get(preview_url(directory_import)).content.decode()

    assert "The import stopped; nothing was imported." in page
    assert "An organization called “Org 0001” is already on the map" in page
    assert 'value="check"' in page  # check again, then import


# --- Permissions and queries ---------------------------------------------------------------------


def test_viewers_and_reviewers_cannot_reach_the_import(client, viewer, legal_reviewer, workgroup):
    directory_import = stored_import(workgroup, viewer, csv_bytes(row()))
    for person in (viewer, legal_reviewer):
        client.force_login(person)
        assert client.get(url("import", workgroup)).status_code == 403
        assert post_file(client, workgroup, csv_bytes(row())).status_code == 403
        assert client.get(preview_url(directory_import)).status_code == 403
        assert client.post(preview_url(directory_import), {"action": "discard"}).status_code == 403
    assert DirectoryImport.objects.get().status == ImportStatus.PENDING and not Job.objects.exists()


def test_another_workgroups_import_is_not_found_through_our_urls(client, coordinator, workgroup, other_workgroup,
                                                                 outsider):
    theirs = stored_import(other_workgroup, outsider, csv_bytes(row()))
    client.force_login(coordinator)
    foreign = url("import-preview", workgroup, directory_import_id=theirs.pk)
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"action": "discard"}).status_code == 404
    client.force_login(outsider)
    assert client.get(url("import", workgroup)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ImportStatus.PENDING


def test_anonymous_visitors_are_sent_to_sign_in(client, workgroup, coordinator):
    directory_import = stored_import(workgroup, coordinator, csv_bytes(row()))
    for path in (url("import", workgroup), preview_url(directory_import)):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_preview_costs_the_same_queries_for_3_and_30_organizations(client, coordinator, workgroup):
    sector_of(workgroup)
    client.force_login(coordinator)

    def queries_for(count: int, start: int) -> int:
        post_file(client, workgroup, csv_bytes(*rows(count, start=start)))
        directory_import = DirectoryImport.objects.latest("pk")
        run_latest(directory_import, imports.CHECK_JOB)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(preview_url(directory_import)).status_code == 200
        return len(captured.captured_queries)

    assert queries_for(3, start=0) == queries_for(30, start=100)
