"""Backup and restore as the README tells an operator to do it, checked with the manifest written at backup time.

`backup_manifest --pg-dump` on the test database, `pg_restore` into a fresh database on the same server, the
media folder copied, then `verify_restore` run as its own process against the copy (as on the machine it was
restored to): it answers OK, and after a row, a file or a column of the copy is changed it names each one and
exits 1.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

import conftest
from incidents import attachments
from incidents.tests.test_services import report
from partners.tests.factories import OrganizationFactory
from toolkit import backup
from toolkit.models import Job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def require_pg_client_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"needs PostgreSQL's client tools ({', '.join(missing)}; apt-get install postgresql-client)"
        if conftest.REQUIRE_SERVICES:
            pytest.fail(f"CI requires this: {reason}", pytrace=False)
        pytest.skip(reason)


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
            "password": db.get("PASSWORD") or None}


def _admin(statement: str) -> None:
    """CREATE or DROP DATABASE, which cannot run inside a transaction."""
    conn = psycopg2.connect(dbname="postgres", **_server())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def _change(database: str, *statements: str) -> None:
    conn = psycopg2.connect(dbname=database, **_server())
    try:
        with conn, conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def verify_restore(manifest: Path, *, database: str, media_root: Path) -> subprocess.CompletedProcess:
    url = conftest.test_database_url().rsplit("/", 1)[0] + f"/{database}"
    env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": url, "MEDIA_ROOT": str(media_root)}
    env.pop("S3_BUCKET", None)
    return subprocess.run([sys.executable, "manage.py", "verify_restore", "--manifest", str(manifest)],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def backed_up(workgroup, coordinator, qa_reviewer, tmp_path):
    """Rows and files made through the app, then `backup_manifest --pg-dump` as the README runs it."""
    require_pg_client_tools()
    OrganizationFactory.create_batch(3, workgroup=workgroup)
    incident = report(coordinator, workgroup)
    attachment = attachments.attachment_add(actor=qa_reviewer, incident=incident,
                                            upload=SimpleUploadedFile("screen.png", _png()))
    job = Job.objects.create(workgroup=workgroup, kind="workgroup_summary", requested_by=coordinator)
    job.result.save("summary.pdf", ContentFile(b"%PDF-1.7 " + b"x" * 5000))
    manifest, dump = tmp_path / "manifest.json", tmp_path / "toolkit.dump"
    call_command("backup_manifest", output=manifest, pg_dump=dump, stdout=io.StringIO())
    return {"manifest": manifest, "dump": dump, "attachment": attachment.file.name, "job_file": job.result.name}


@pytest.fixture
def restored(backed_up, tmp_path):
    """The dump restored into a fresh database on the same server (dropped after), the media folder copied."""
    database = f"{settings.DATABASES['default']['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{database}"')
    try:
        server = _server()
        subprocess.run(["pg_restore", "--no-owner", "--host", server["host"], "--port", str(server["port"]),
                        "--username", server["user"], "--dbname", database, str(backed_up["dump"])],
                       check=True, capture_output=True, timeout=120)
        media_copy = tmp_path / "restored-media"
        shutil.copytree(settings.MEDIA_ROOT, media_copy)
        yield {**backed_up, "database": database, "media": media_copy}
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_the_manifest_names_every_table_and_every_stored_file(backed_up):
    manifest = json.loads(backed_up["manifest"].read_text())

    assert manifest["tables"]["partners_organization"]["rows"] == 3
    assert manifest["tables"]["incidents_incident"]["rows"] == 1
    assert "narrative" in manifest["tables"]["incidents_incident"]["columns"]
    assert set(manifest["files"]) == {backed_up["attachment"], backed_up["job_file"]}
    assert manifest["files"][backed_up["job_file"]]["size"] == 5009
    assert manifest["dump"].endswith("toolkit.dump") and manifest["missing_at_backup"] == []


def test_a_restored_copy_of_the_database_and_files_matches_its_manifest(restored):
    result = verify_restore(restored["manifest"], database=restored["database"], media_root=restored["media"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout and "and 2 files match the manifest" in result.stdout


def test_every_changed_row_column_and_file_of_the_copy_is_named_and_the_check_fails(restored):
    _change(restored["database"],
            "UPDATE incidents_incident SET narrative = narrative || ' (edited)'",
            "DELETE FROM partners_organization WHERE id = (SELECT min(id) FROM partners_organization)",
            "ALTER TABLE toolkit_workgroup ADD COLUMN added_later text")
    (restored["media"] / restored["attachment"]).unlink()
    job_file = restored["media"] / restored["job_file"]
    job_file.write_bytes(job_file.read_bytes().replace(b"x", b"y", 1))  # same size, other content

    result = verify_restore(restored["manifest"], database=restored["database"], media_root=restored["media"])

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "table incidents_incident: same 1 rows, different contents (checksum)" in lines
    assert "table partners_organization: 2 rows, expected 3" in lines
    assert any(line.startswith("table toolkit_workgroup: columns differ") and "added_later" in line for line in lines)
    assert f"file {restored['attachment']}: missing" in lines
    assert f"file {restored['job_file']}: changed (same size, different SHA-256)" in lines
    assert len(lines) == 5, result.stdout
    assert "5 difference(s) from the manifest" in result.stderr


def test_a_file_that_is_not_a_manifest_is_refused_with_a_reason(tmp_path):
    not_manifest = tmp_path / "notes.json"
    not_manifest.write_text('{"tables": []}')

    with pytest.raises(CommandError, match="is not a manifest written by backup_manifest"):
        call_command("verify_restore", manifest=not_manifest)
    with pytest.raises(CommandError, match="Cannot read the manifest"):
        call_command("verify_restore", manifest=tmp_path / "missing.json")


def test_a_manifest_from_another_kind_of_database_is_refused_rather_than_reported_as_different(tmp_path):
    manifest = tmp_path / "manifest.json"
    call_command("backup_manifest", output=manifest, stdout=io.StringIO())
    written = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**written, "method": backup.METHOD_PORTABLE}))

    with pytest.raises(CommandError, match="computed on another kind of database"):
        call_command("verify_restore", manifest=manifest)
