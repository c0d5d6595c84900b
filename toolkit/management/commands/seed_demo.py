"""Create the demo county workgroup and one person per role. Safe to run again."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from toolkit.models import JurisdictionType, Membership, Role, Workgroup, WorkgroupGoal
from toolkit.services import workgroup_create

DEMO_PASSWORD = "demo-pass-988"  # demo data only; printed so people can sign in

DEMO_WORKGROUP = {
    "slug": "riverbend-county",
    "name": "Riverbend County 988/911 Workgroup",
    "jurisdiction_type": JurisdictionType.COUNTY,
    "jurisdiction_name": "Riverbend County",
    "goal": WorkgroupGoal.INTEROPERABILITY,
    "description": (
        "The county's 988 crisis center, the two 911 PSAPs, the mobile crisis provider, "
        "EMS, the sheriff's office and community partners, working out who answers which crisis call."
    ),
}
# A second workgroup so the switcher has something to switch to.
STATE_WORKGROUP = {
    "slug": "example-state-coordination",
    "name": "Example State 988 Coordination Council",
    "jurisdiction_type": JurisdictionType.STATE,
    "jurisdiction_name": "State of Example",
    "goal": WorkgroupGoal.INTEGRATED_WORKFLOWS,
    "description": "Statewide coordination of 988 centers and the State 911 Administrator.",
}

DEMO_PEOPLE = [
    ("coordinator@example.org", "Casey", "Morgan", Role.COORDINATOR),
    ("member@example.org", "Jordan", "Lee", Role.MEMBER),
    ("legal@example.org", "Riley", "Chen", Role.LEGAL_REVIEWER),
    ("qa@example.org", "Avery", "Patel", Role.QA_REVIEWER),
    ("viewer@example.org", "Sam", "Rivera", Role.VIEWER),
]


class Command(BaseCommand):
    help = "Create (or leave as is) the demo workgroups and one demo user per role."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            # Demo accounts have a published password; they must never exist on a real site.
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production.")
        users = {}
        for email, first, last, _role in DEMO_PEOPLE:
            users[email] = _user(email, first, last)
        county = _workgroup(DEMO_WORKGROUP, creator=users["coordinator@example.org"])
        state = _workgroup(STATE_WORKGROUP, creator=users["legal@example.org"])
        for email, _, _, role in DEMO_PEOPLE:
            Membership.objects.get_or_create(user=users[email], workgroup=county, defaults={"role": role})
        # In the state council the county's legal reviewer coordinates and the county coordinator watches.
        Membership.objects.get_or_create(
            user=users["legal@example.org"], workgroup=state, defaults={"role": Role.COORDINATOR}
        )
        Membership.objects.get_or_create(
            user=users["coordinator@example.org"], workgroup=state, defaults={"role": Role.VIEWER}
        )
        admin = _user("admin@example.org", "Demo", "Administrator", staff=True)
        # Each feature app adds its demo data through its AppConfig (toolkit never imports their models).
        for app_config in apps.get_app_configs():
            if hasattr(app_config, "seed_demo"):
                app_config.seed_demo(workgroup=county, actor=users["coordinator@example.org"])
        # Data that draws on every area (a year of transfers names protocols, agreements and incidents).
        for app_config in apps.get_app_configs():
            if hasattr(app_config, "seed_demo_last"):
                app_config.seed_demo_last(workgroup=county, actor=users["coordinator@example.org"])
        self.stdout.write(self.style.SUCCESS(f"Demo workgroups: {county.name} · {state.name}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _, _, role in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<15} {email}")
        self.stdout.write(f"  {'Admin (staff)':<15} {admin.email}")


def _workgroup(data: dict, *, creator) -> Workgroup:
    """Created like any workgroup (with its defaults, the creator as coordinator), or left as it is."""
    existing = Workgroup.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        return existing
    return workgroup_create(actor=creator, **data)


def _user(email: str, first: str, last: str, staff: bool = False):
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model(email=email, first_name=first, last_name=last, is_staff=staff, is_superuser=staff)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user
