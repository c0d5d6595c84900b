"""Files in an S3-compatible bucket (django-storages) instead of the local disk, for web and workers on many machines.

The bucket is a real S3 endpoint on this machine: moto's server mode, spoken to over HTTP by the web process (the
test) and by a real Celery worker process, each with its own empty MEDIA_ROOT, so whatever one writes and the other
reads can only have gone through the bucket. Storage options come from ``toolkit.settings`` itself (S3_BUCKET,
S3_ENDPOINT_URL, S3_REGION, S3_ENCRYPT), read in a child process as the test of the settings does.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

import conftest
from incidents.models import Attachment
from incidents.tests.test_services import report
from toolkit import backup, jobs, services
from toolkit.models import Job, JobStatus
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.services.deletion import workgroup_delete_permanently
from toolkit.tests.factories import UserFactory
from toolkit.tests.test_settings import _run

PRINT_STORAGE = """
import json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'toolkit.settings'
from django.conf import settings
print(json.dumps(settings.STORAGES['default']))
"""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "toolkit-test", "AWS_SECRET_ACCESS_KEY": "toolkit-test-secret"}


def _storage_settings(**env: str) -> dict:
    result = _run(["-c", PRINT_STORAGE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- What the settings choose ----------------------------------------------------------------------------


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


# --- A real S3 endpoint --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port of 127.0.0.1 (moto[server]: flask and flask-cors, requirements-dev.txt)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        reason = f"needs moto's server mode (pip install -r requirements-dev.txt): {exc}"
        if conftest.REQUIRE_SERVICES:
            pytest.fail(f"CI requires this: {reason}", pytrace=False)
        pytest.skip(reason)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _bucket(endpoint: str, monkeypatch, settings, *, encrypt: bool = True) -> dict:
    """A new private bucket, and this process's default storage on it as toolkit.settings configures it."""
    import boto3

    env = {"S3_BUCKET": f"toolkit-{uuid.uuid4().hex[:12]}", "S3_ENDPOINT_URL": endpoint, "S3_REGION": "us-east-1",
           "S3_ENCRYPT": "true" if encrypt else "false", **CREDENTIALS}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=env["S3_BUCKET"])
    settings.STORAGES = {**settings.STORAGES, "default": _storage_settings(**env)}
    return {"env": env, "client": client, "name": env["S3_BUCKET"], "endpoint": endpoint}


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, settings):
    return _bucket(s3_endpoint, monkeypatch, settings)


def keys(bucket: dict, prefix: str = "") -> list[str]:
    listing = bucket["client"].list_objects_v2(Bucket=bucket["name"], Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def stored_bytes(bucket: dict, key: str) -> bytes:
    return bucket["client"].get_object(Bucket=bucket["name"], Key=key)["Body"].read()


def anonymous_get(bucket: dict, key: str) -> int:
    return requests.get(f"{bucket['endpoint']}/{bucket['name']}/{key}", timeout=10).status_code


def files_on_disk(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_file_a_worker_on_another_machine_generates_is_downloaded_by_the_web_process_through_the_bucket(
    client, coordinator, workgroup, bucket, settings, tmp_path, monkeypatch
):
    from toolkit.celery import app

    conftest.require_worker_services()
    # A worker of its own, on a queue of its own (a session worker writing to its disk must not take the job).
    queue = "s3-bucket-test"
    monkeypatch.setitem(jobs._KINDS, WORKGROUP_SUMMARY, replace(jobs.get_kind(WORKGROUP_SUMMARY), queue=queue))
    web_media, worker_media = tmp_path / "web-media", tmp_path / "worker-media"
    web_media.mkdir()
    worker_media.mkdir()
    settings.MEDIA_ROOT = web_media
    app.control.purge()
    worker = conftest.start_celery_worker(media_root=worker_media, log_path=tmp_path / "worker.log", queues=queue,
                                          extra_env=bucket["env"])
    try:
        job = services.job_create(actor=coordinator, workgroup=workgroup, kind=WORKGROUP_SUMMARY)
        job = conftest.wait_for(lambda: (found := Job.objects.get(pk=job.pk)).is_finished and found)
    finally:
        conftest.stop_celery_worker(worker)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert keys(bucket) == [job.result.name]
    assert job.result.name.startswith(f"workgroups/{workgroup.pk}/")
    client.force_login(coordinator)
    download = client.get(reverse("toolkit:job-download", kwargs={"slug": workgroup.slug, "job_id": job.pk}))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF") and body == stored_bytes(bucket, job.result.name)
    assert files_on_disk(web_media) == [] and files_on_disk(worker_media) == []  # nothing went through a disk
    head = bucket["client"].head_object(Bucket=bucket["name"], Key=job.result.name)
    assert head["ServerSideEncryption"] == "AES256"
    assert anonymous_get(bucket, job.result.name) == 403


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_attachment_is_kept_private_and_encrypted_in_the_bucket_and_downloads_intact(
    client, workgroup, qa_reviewer, coordinator, bucket
):
    incident = report(coordinator, workgroup)
    client.force_login(qa_reviewer)
    upload_url = reverse("incidents:attachment-upload", kwargs={"slug": workgroup.slug, "incident_id": incident.pk})

    response = client.post(upload_url, {"file": SimpleUploadedFile("screen.png", _png(), "image/png")})

    assert response.status_code == 302
    attachment = Attachment.objects.get(incident=incident)
    assert keys(bucket) == [attachment.file.name]
    assert attachment.file.name.startswith(f"workgroups/{workgroup.pk}/")
    download = client.get(reverse("incidents:attachment-download", kwargs={
        "slug": workgroup.slug, "incident_id": incident.pk, "attachment_id": attachment.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _png() == stored_bytes(bucket, attachment.file.name)
    head = bucket["client"].head_object(Bucket=bucket["name"], Key=attachment.file.name)
    assert head["ServerSideEncryption"] == "AES256"
    assert anonymous_get(bucket, attachment.file.name) == 403


@pytest.mark.django_db(transaction=True)
def test_with_s3_encrypt_off_objects_are_stored_without_server_side_encryption(
    s3_endpoint, monkeypatch, settings
):
    plain = _bucket(s3_endpoint, monkeypatch, settings, encrypt=False)

    name = default_storage.save("workgroups/1/jobs/plain.txt", ContentFile(b"not secret"))

    assert "ServerSideEncryption" not in plain["client"].head_object(Bucket=plain["name"], Key=name)
    assert anonymous_get(plain, name) == 403  # private all the same


@pytest.mark.django_db(transaction=True)
def test_deleting_a_workgroup_empties_its_prefix_of_the_bucket_and_leaves_others(
    workgroup, other_workgroup, coordinator, outsider, bucket
):
    for owner, person in ((workgroup, coordinator), (other_workgroup, outsider)):
        for name in ("summary.pdf", "report.pdf"):
            job = Job.objects.create(workgroup=owner, kind=WORKGROUP_SUMMARY, requested_by=person)
            job.result.save(name, ContentFile(b"%PDF-1.7 generated"))
    assert len(keys(bucket, f"workgroups/{workgroup.pk}/")) == 2
    staff = UserFactory(email="staff@toolkit.test", is_staff=True)

    workgroup_delete_permanently(actor=staff, workgroup=workgroup)

    assert keys(bucket, f"workgroups/{workgroup.pk}/") == []
    assert len(keys(bucket, f"workgroups/{other_workgroup.pk}/")) == 2


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_bucket_is_checked_against_the_manifest_file_by_file(
    workgroup, coordinator, bucket, s3_endpoint, monkeypatch, settings
):
    for name in ("summary.pdf", "report.pdf"):
        job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=coordinator)
        job.result.save(name, ContentFile(f"%PDF-1.7 {name}".encode()))
    written = backup.write_manifest(Path(settings.MEDIA_ROOT).parent / "manifest.json")
    assert set(written["files"]) == set(keys(bucket))
    # The restore: every object copied into another bucket, which the app is then pointed at.
    copy = _bucket(s3_endpoint, monkeypatch, settings)
    for key in keys(bucket):
        copy["client"].copy_object(Bucket=copy["name"], Key=key, CopySource={"Bucket": bucket["name"], "Key": key})

    assert backup.compare_with_manifest(written).differences == []
    lost, altered = keys(copy)
    copy["client"].delete_object(Bucket=copy["name"], Key=lost)
    copy["client"].put_object(Bucket=copy["name"], Key=altered, Body=b"%PDF-1.7 other")
    assert backup.compare_with_manifest(written).differences == [
        f"file {lost}: missing",
        f"file {altered}: changed (14 bytes, expected {len(stored_bytes(bucket, altered))})",
    ]
