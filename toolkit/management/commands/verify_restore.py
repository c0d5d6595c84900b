"""Check a restored copy (this environment's database and file store) against the manifest taken at backup time."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toolkit import backup


class Command(BaseCommand):
    help = ("Compare this database and file store with a manifest written by `backup_manifest`: names every table "
            "whose rows or checksum differ and every file missing or changed; exits 1 on any difference.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--manifest", required=True, type=Path, help="The manifest written at backup time.")

    def handle(self, *args, manifest: Path, **options) -> None:
        try:
            expected = backup.read_manifest(manifest)
            result = backup.compare_with_manifest(expected)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.differences:
            self.stdout.write(self.style.ERROR(line))
        for line in result.notes:
            self.stdout.write(self.style.WARNING(line))
        if result.differences:
            raise CommandError(f"{len(result.differences)} difference(s) from the manifest written at "
                               f"{expected.get('written_at')}.", returncode=1)
        self.stdout.write(self.style.SUCCESS(
            f"OK: {result.tables} tables ({result.rows} rows) and {result.files} files match the manifest "
            f"written at {expected.get('written_at')}."))
