"""Backup manifest and restore check at 1,000,000 audit rows: times and memory (prints figures, no pass/fail).

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench MEDIA_ROOT=/tmp/bench-media \
        .venv/bin/python bench/bench_backup.py [--rows 1000000] [--files 200]

Fills the audit table as bench_audit.py does and stores ``--files`` files of 256 KB, then times the checksum of
the audit table alone, ``backup_manifest --pg-dump`` (checksums of every table, the dump of the same snapshot,
every file hashed), ``pg_restore`` into a fresh database and ``verify_restore`` against it, and prints this
process's peak memory after the checksums (the table is summed inside PostgreSQL; no rows come here).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import connection, test_database
from bench_audit import _fill


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()

    with test_database():
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from django.core.management import call_command

        from toolkit import backup
        from toolkit.models import Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        _fill(workgroup.pk, coordinator.pk, args.rows)
        for n in range(args.files):
            default_storage.save(f"workgroups/{workgroup.pk}/bench/{n}.bin", ContentFile(os.urandom(256 * 1024)))
        print(f"database: {connection.vendor}; {args.files} files of 256 KB; peak memory before: {_peak_mb():.0f} MB")

        start = time.perf_counter()
        with backup.consistent_snapshot():
            digest = backup.table_digest("toolkit_auditevent")
        print(f"checksum of toolkit_auditevent ({digest.rows:,} rows): {time.perf_counter() - start:.2f} s; "
              f"peak memory after: {_peak_mb():.0f} MB")

        work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
        try:
            start = time.perf_counter()
            call_command("backup_manifest", output=work / "manifest.json", pg_dump=work / "db.dump")
            print(f"backup_manifest --pg-dump: {time.perf_counter() - start:.2f} s; dump "
                  f"{(work / 'db.dump').stat().st_size / 1e6:.0f} MB; peak memory: {_peak_mb():.0f} MB")
            if connection.vendor != "postgresql":
                return
            db = connection.settings_dict
            restored = f"{db['NAME']}_restored"
            pg = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
            subprocess.run(["createdb", *pg, restored], check=True)
            try:
                start = time.perf_counter()
                subprocess.run(["pg_restore", *pg, "--no-owner", "--dbname", restored, work / "db.dump"], check=True)
                print(f"pg_restore: {time.perf_counter() - start:.2f} s")
                media_copy = work / "media"
                shutil.copytree(default_storage.location, media_copy)
                env = {**os.environ, "MEDIA_ROOT": str(media_copy),
                       "DATABASE_URL": f"postgres://{db['USER']}@{pg[1]}:{pg[3]}/{restored}"}
                start = time.perf_counter()
                result = subprocess.run([sys.executable, "manage.py", "verify_restore", "--manifest",
                                         work / "manifest.json"], env=env, capture_output=True, text=True,
                                        cwd=Path(__file__).resolve().parent.parent)
                print(f"verify_restore: {time.perf_counter() - start:.2f} s, exit {result.returncode}: "
                      f"{(result.stdout + result.stderr).strip().splitlines()[-1]}")
            finally:
                subprocess.run(["dropdb", *pg, "--force", restored], check=True)
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
