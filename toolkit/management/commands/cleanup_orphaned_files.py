"""List (and with --delete remove) stored files that no row points to."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from toolkit.files import orphaned_files


class Command(BaseCommand):
    help = "List stored files no database row names; --delete removes them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="Remove the orphaned files (default: only list).")
        parser.add_argument("--older-than-hours", type=float, default=1.0,
                            help="Leave files younger than this alone (a job may be writing one). Default 1.")

    def handle(self, *args, delete: bool, older_than_hours: float, **options) -> None:
        orphans = orphaned_files(older_than=timedelta(hours=older_than_hours))
        for name in orphans:
            if delete:
                default_storage.delete(name)
            self.stdout.write(("deleted " if delete else "") + name)
        verb = "Deleted" if delete else "Found"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(orphans)} orphaned file(s)."))
