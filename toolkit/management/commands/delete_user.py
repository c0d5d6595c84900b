"""Delete a user account, or anonymise it where records must keep showing one person did those things."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from toolkit.services import user_anonymise, user_delete


class Command(BaseCommand):
    help = "Delete (or with --anonymise, anonymise) a user account (staff)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--staff", required=True, help="E-mail of the staff account doing this (recorded).")
        parser.add_argument("--anonymise", action="store_true", help="Keep the account as “Former user #id”.")
        parser.add_argument("--force", action="store_true", help="Even if they are a workgroup's last coordinator.")

    def handle(self, *args, email: str, staff: str, anonymise: bool, force: bool, **options) -> None:
        users = get_user_model().objects
        user = users.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the address {email}.")
        actor = users.filter(email__iexact=staff, is_staff=True, is_active=True).first()
        if actor is None:
            raise CommandError(f"{staff} is not an active staff account.")
        try:
            if anonymise:
                user_anonymise(actor=actor, user=user, force=force)
            else:
                user_delete(actor=actor, user=user, force=force)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{email} {'anonymised' if anonymise else 'deleted'}."))
