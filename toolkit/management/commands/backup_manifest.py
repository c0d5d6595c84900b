"""Write the manifest a restored copy is checked against (and, with --pg-dump, the dump of that same snapshot)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toolkit import backup


class Command(BaseCommand):
    help = ("Write a JSON manifest of this database (each table's row count and checksum) and of the file store "
            "(each file's size and SHA-256), for `verify_restore` to check a restored copy against.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="Where to write the manifest (JSON).")
        parser.add_argument("--pg-dump", type=Path, metavar="FILE",
                            help="Also run `pg_dump -Fc` into FILE on the snapshot the manifest describes "
                                 "(PostgreSQL), so the two match exactly while people keep working.")

    def handle(self, *args, output: Path, pg_dump: Path | None, **options) -> None:
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        if pg_dump is not None and not pg_dump.parent.is_dir():
            raise CommandError(f"The folder {pg_dump.parent} does not exist.")
        try:
            manifest = backup.write_manifest(output, pg_dump=pg_dump)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"{len(manifest['tables'])} tables ({rows} rows) and {len(manifest['files'])} files "
                          f"described in {output}" + (f"; database dumped to {pg_dump}" if pg_dump else "") + ".")
        for name in manifest["missing_at_backup"]:
            self.stdout.write(self.style.WARNING(f"file {name}: named by a row but already missing from storage"))
