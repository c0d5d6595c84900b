"""The transfer import pages: upload (whose export) → columns → check → preview → import, as a person clicks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from toolkit.models import Job
from triage.models import Transfer, TransferImport
from triage.tests.test_transfer_imports import (
    GUESSED,
    checked,
    csv_bytes,
    line,
    lines,
    make_partners,
    run_latest,
    upload,
)
from triage.transfers import imports

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(workgroup):
    return make_partners(workgroup)


def upload_url(workgroup) -> str:
    return reverse("transfers:import-upload", kwargs={"slug": workgroup.slug})


def preview_url(transfer_import: TransferImport, slug: str | None = None) -> str:
    return reverse("transfers:import-preview", kwargs={"slug": slug or transfer_import.workgroup.slug,
                                                       "transfer_import_id": transfer_import.pk})


def map_url(transfer_import: TransferImport, slug: str | None = None) -> str:
    return reverse("transfers:import-map", kwargs={"slug": slug or transfer_import.workgroup.slug,
                                                   "transfer_import_id": transfer_import.pk})


def test_upload_columns_check_preview_and_import(client, workgroup, member, partners):
    client.force_login(member)
    data = csv_bytes(line("CAD-1"), line("CAD-2"), line("CAD-1"))

    response = client.post(upload_url(workgroup), {"organization": partners[0].pk,
                                                   "file": SimpleUploadedFile("cad.csv", data)})

    transfer_import = TransferImport.objects.get()
    assert response.status_code == 302 and response["Location"] == map_url(transfer_import)
    page = client.get(map_url(transfer_import)).content.decode()
    assert "Which column holds what?" in page and "guessed from the column names" in page
    assert '<option value="Call ID" selected>' in page
    assert "Codes the file may use" in page and "<code>blind</code>" in page

    response = client.post(map_url(transfer_import), GUESSED, follow=True)
    page = response.content.decode()
    assert "The columns are saved for Metro 911" in page and 'data-phase="checking"' in page
    run_latest(transfer_import, imports.CHECK_JOB)

    page = client.get(preview_url(transfer_import)).content.decode()
    assert "The file is clean: 2 new transfers will be recorded and 1 row recorded already will be skipped" in page
    assert "CAD-2" in page and 'value="confirm"' in page and not Transfer.objects.exists()

    page = client.post(preview_url(transfer_import), {"action": "confirm"}, follow=True).content.decode()
    assert "You asked to import cad.csv; the status below follows it." in page
    run_latest(transfer_import, imports.IMPORT_JOB)
    page = client.get(preview_url(transfer_import)).content.decode()
    assert "2 new transfers; 1 row recorded already, skipped." in page
    assert Transfer.objects.count() == 2


def test_the_same_file_again_says_nothing_is_new(client, workgroup, member, partners):
    data = csv_bytes(*lines(3))
    first = checked(workgroup, member, data, partners[0])
    imports.transfer_import_start(actor=member, transfer_import=first)
    run_latest(first, imports.IMPORT_JOB)
    again = checked(workgroup, member, data, partners[0])
    client.force_login(member)
    page = client.get(preview_url(again)).content.decode()
    assert "The file is clean: 0 new transfers will be recorded and 3 rows recorded already" in page
    client.post(preview_url(again), {"action": "confirm"})
    run_latest(again, imports.IMPORT_JOB)
    page = client.get(preview_url(again)).content.decode()
    assert "The file held nothing new: it was imported before." in page and Transfer.objects.count() == 3


def test_the_next_file_of_the_partner_maps_itself(client, workgroup, member, partners):
    checked(workgroup, member, csv_bytes(line()), partners[0])
    client.force_login(member)
    client.post(upload_url(workgroup), {"organization": partners[0].pk,
                                        "file": SimpleUploadedFile("april.csv", csv_bytes(line("CAD-9")))})
    page = client.get(map_url(TransferImport.objects.latest("pk"))).content.decode()
    assert "saved for Metro 911's last file" in page


def test_problems_are_listed_with_a_report_to_download(client, workgroup, member, partners):
    transfer_import = checked(workgroup, member, csv_bytes(line("CAD-1", To="Nowhere")), partners[0])
    client.force_login(member)
    page = client.get(preview_url(transfer_import)).content.decode()
    assert "1 problem in 1 row." in page and "“Nowhere” is not on this workgroup&#x27;s partner map" in page
    assert 'data-testid="problem-report"' in page and 'value="confirm"' not in page


def test_a_wrong_mapping_answers_400_and_keeps_the_choices(client, workgroup, member, partners):
    transfer_import = upload(workgroup, member, csv_bytes(line()), partners[0])
    client.force_login(member)
    response = client.post(map_url(transfer_import), {**GUESSED, "partner_call_id": "", "result": "Direction"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the column that holds this." in page and "is chosen for Direction already" in page
    transfer_import.refresh_from_db()
    assert transfer_import.mapping == {} and not Job.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    (b"a;b;c;d;e;f\n1;2;3;4;5;6\n", "separated by semicolons"),
    ("Call ID,Direction,From,To,Initiated,Result\n1,x,Café,b,c,d\n".encode("cp1252"), "export as CSV UTF-8"),
])
def test_an_unusable_upload_answers_400_with_the_reason(client, workgroup, member, partners, data, message):
    client.force_login(member)
    response = client.post(upload_url(workgroup), {"organization": partners[0].pk,
                                                   "file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 400 and message in response.content.decode().replace("Export it as", "export as")
    assert not TransferImport.objects.exists()


def test_a_50_mb_upload_is_refused_with_the_cap(client, workgroup, member, partners):
    client.force_login(member)
    response = client.post(upload_url(workgroup), {"organization": partners[0].pk, "file": SimpleUploadedFile(
        "year.csv", b"x" * (50 * 1024 * 1024))})
    assert response.status_code == 400 and "larger than 40 MB" in response.content.decode()


def test_a_viewer_is_refused_and_an_outsider_sees_nothing(client, workgroup, viewer, outsider, member, partners):
    transfer_import = upload(workgroup, member, csv_bytes(line()), partners[0])
    client.force_login(viewer)
    for url in (upload_url(workgroup), preview_url(transfer_import), map_url(transfer_import)):
        assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(preview_url(transfer_import)).status_code == 404
    assert client.get(map_url(transfer_import)).status_code == 404


def test_a_qa_reviewer_and_a_coordinator_may_import(client, workgroup, qa_reviewer, coordinator):
    for person in (qa_reviewer, coordinator):
        client.force_login(person)
        assert client.get(upload_url(workgroup)).status_code == 200


def test_the_preview_reads_the_same_number_of_queries_for_a_big_file(client, workgroup, member, partners):
    small = checked(workgroup, member, csv_bytes(line("S-1")), partners[0])
    big = checked(workgroup, member, csv_bytes(*lines(300, start=100)), partners[1])
    client.force_login(member)
    counts = []
    for transfer_import in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(preview_url(transfer_import)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
