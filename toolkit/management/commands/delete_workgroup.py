"""Delete a workgroup permanently: every row it owns, their history, its audit trail and its files."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from toolkit.models import Workgroup
from toolkit.services import workgroup_delete_permanently


class Command(BaseCommand):
    help = "Delete a workgroup permanently (staff). Without --yes it only says what it would delete."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--staff", required=True, help="E-mail of the staff account doing this (recorded).")
        parser.add_argument("--yes", action="store_true", help="Really delete.")

    def handle(self, *args, slug: str, staff: str, yes: bool, **options) -> None:
        workgroup = Workgroup.objects.filter(slug=slug).first()
        if workgroup is None:
            raise CommandError(f"No workgroup with the address “{slug}”.")
        actor = get_user_model().objects.filter(email__iexact=staff, is_staff=True, is_active=True).first()
        if actor is None:
            raise CommandError(f"{staff} is not an active staff account.")
        if not yes:
            self.stdout.write(f"Would delete “{workgroup.name}” and everything it owns. Add --yes to do it.")
            return
        report = workgroup_delete_permanently(actor=actor, workgroup=workgroup)
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  history rows: {report.history_rows}")
        self.stdout.write(self.style.SUCCESS(f"Deleted “{workgroup.name}” ({report.total} rows); its files follow."))
