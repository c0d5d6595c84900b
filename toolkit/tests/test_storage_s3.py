"""Files in an S3-compatible bucket (django-storages) instead of the local disk: chosen by settings.

moto stands in for the bucket, in this process, so a packet's file goes in and comes out through the
same storage API the app uses, and a workgroup's files are deleted by prefix, with no folders to remove.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from toolkit.services.deletion import delete_stored_prefix
from toolkit.tests.test_settings import _run

moto = pytest.importorskip("moto", reason="moto is a development requirement (requirements-dev.txt)")

PRINT_STORAGE = """
import json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'toolkit.settings'
from django.conf import settings
print(json.dumps(settings.STORAGES['default']))
"""


def _storage_settings(**env: str) -> dict:
    import json

    result = _run(["-c", PRINT_STORAGE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_keeps_files_on_the_local_disk():
    assert _storage_settings()["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_bucket_selects_a_private_encrypted_bucket_with_its_endpoint():
    storage = _storage_settings(S3_BUCKET="toolkit-files", S3_ENDPOINT_URL="https://minio.internal:9000",
                                S3_REGION="us-east-2")

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "toolkit-files", "endpoint_url": "https://minio.internal:9000", "region_name": "us-east-2",
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }


@pytest.fixture
def bucket(monkeypatch, settings):
    """The default storage is the bucket, as S3_BUCKET makes it (the same options as toolkit.settings)."""
    import boto3
    from django.core.files.storage import default_storage

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="toolkit-files")
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "toolkit-files", "default_acl": "private", "querystring_auth": True,
                        "file_overwrite": False, "object_parameters": {"ServerSideEncryption": "AES256"}},
        }}
        yield default_storage


def test_a_jobs_file_goes_into_the_bucket_and_streams_back_out(bucket, workgroup, coordinator):
    from toolkit.models import Job

    job = Job.objects.create(workgroup=workgroup, kind="agreement_packet", requested_by=coordinator)
    job.result.save("packet.pdf", ContentFile(b"%PDF-1.7 " + b"x" * 100_000))

    assert type(job.result.storage._wrapped).__name__ == "S3Storage"
    assert job.result.name.startswith(f"workgroups/{workgroup.pk}/")
    with job.result.open("rb") as handle:
        assert handle.read(9) == b"%PDF-1.7 "
    assert bucket.size(job.result.name) == 100_009


def test_a_workgroups_files_are_deleted_by_prefix_in_a_bucket(bucket):
    for name in ("workgroups/7/jobs/1/a.pdf", "workgroups/7/agreements/signed/b.pdf", "workgroups/8/jobs/2/c.pdf"):
        bucket.save(name, ContentFile(b"%PDF-"))

    assert delete_stored_prefix("workgroups/7/", bucket) == 2
    assert not bucket.exists("workgroups/7/jobs/1/a.pdf") and bucket.exists("workgroups/8/jobs/2/c.pdf")
