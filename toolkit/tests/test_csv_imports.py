"""What every CSV import (partner directory, past incidents, transfer records) refuses before parsing, in the one
place they share (``toolkit.csv_imports.decode``): a file that is not text is named for what it looks like."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.imports import incident_import_upload
from incidents.models import IncidentImport
from partners.imports import directory_import_upload
from partners.models import DirectoryImport
from partners.tests.factories import OrganizationFactory
from toolkit import csv_imports
from toolkit.models import Job
from toolkit.tests.upload_files import NOT_TEXT, NOT_TEXT_IDS
from triage.models import TransferImport
from triage.transfers.imports import transfer_import_upload

pytestmark = pytest.mark.django_db


def _partners(actor, workgroup, file):
    return directory_import_upload(actor=actor, workgroup=workgroup, file=file)


def _incidents(actor, workgroup, file):
    return incident_import_upload(actor=actor, workgroup=workgroup, file=file)


def _transfers(actor, workgroup, file):
    return transfer_import_upload(actor=actor, workgroup=workgroup, file=file,
                                  organization=OrganizationFactory(workgroup=workgroup))


UPLOADS = [_partners, _incidents, _transfers]


@pytest.mark.parametrize("upload", UPLOADS, ids=["partners", "incidents", "transfers"])
@pytest.mark.parametrize(("data", "message"), NOT_TEXT, ids=NOT_TEXT_IDS)
def test_every_csv_import_refuses_a_file_that_is_not_text_saying_what_it_looks_like(workgroup, coordinator, upload,
                                                                                    data, message):
    with pytest.raises(ValidationError) as refused:
        upload(coordinator, workgroup, SimpleUploadedFile("export.csv", data, "text/csv"))

    assert any(message in text and "CSV (UTF-8)" in text for text in refused.value.message_dict["file"])
    assert not (DirectoryImport.objects.exists() or IncidentImport.objects.exists() or TransferImport.objects.exists()
                or Job.objects.exists())


@pytest.mark.parametrize(("data", "starts"), [
    (b"name,sector\r\nCounty 911,PSAP\r\n", None),
    (b"MZ code,name\r\n1,a\r\n", None),  # a first column that happens to start like a Windows program
    (b"caf\xe9,x\n", "The file is not UTF-8 text (byte 0xe9 at position 3"),
    ("a,b\n".encode("utf-16"), "The file is not UTF-8 text (it is UTF-16"),
    (b"a,b\x00\n", csv_imports.MSG_NUL),
])
def test_decode_keeps_text_and_explains_what_is_not(data, starts):
    text, problem = csv_imports.decode(data)

    assert (text is None) == (starts is not None)
    assert problem.startswith(starts) if starts else problem == ""
