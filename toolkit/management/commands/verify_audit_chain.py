"""Verify the audit trail's hash chains (``toolkit.audit_chain``): OK with counts, or the first broken row.

    python manage.py verify_audit_chain [--workgroup <slug>]

Each workgroup's chain is walked in order, a few thousand rows at a time, so memory stays flat at any size.
Exit status 0 when every chain holds, 1 (with the first broken row named) when one does not. Keep the
output: each chain's head (position and hash) lets the next run's reader see a chain that got shorter.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from toolkit.audit_chain import ChainBreak, verify_chain
from toolkit.models import AuditAction, Workgroup


class Command(BaseCommand):
    help = "Check every workgroup's audit hash chain (or one) and name the first row that was changed or removed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workgroup", metavar="SLUG", help="Only this workgroup's chain.")

    def handle(self, *args, workgroup: str | None = None, **options) -> None:
        workgroups = Workgroup.objects.order_by("pk")
        if workgroup is not None:
            workgroups = workgroups.filter(slug=workgroup)
            if not workgroups.exists():
                raise CommandError(f"No workgroup with the address “{workgroup}”.")
        chains = events = 0
        for wg in workgroups.only("pk", "slug").iterator():
            try:
                count, head = verify_chain(wg.pk)
            except ChainBreak as broken:
                raise CommandError(self._broken(wg, broken)) from None
            chains, events = chains + 1, events + count
            self.stdout.write(f"  {wg.slug}: {count:,} events, head #{count} {head}")
        self.stdout.write(self.style.SUCCESS(f"OK: {chains:,} chains, {events:,} audit events, every row in place."))

    @staticmethod
    def _broken(wg: Workgroup, broken: ChainBreak) -> str:
        event = broken.event
        when = timezone.localtime(event["occurred_at"]).strftime("%Y-%m-%d %H:%M:%S %Z")
        action = dict(AuditAction.choices).get(event["action"], event["action"])
        return (f"BROKEN: workgroup {wg.slug}, audit event id {event['id']} (position {event['seq']}), {when}, "
                f"{action} {event['object_label']} “{event['object_repr']}” by {event['actor_name'] or 'System'}: "
                f"{broken.reason}.")
