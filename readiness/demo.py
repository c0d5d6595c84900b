"""Demo readiness data for the Riverbend County workgroup: two closed rounds six months apart.

The partners answer through the default instrument; between the rounds the workgroup drafted its
protocol and agreements, so "Policies, protocols and agreements" climbs the most while resources
and data sharing stay weak. Action items were accepted from each round's gaps; one is overdue.
Respondents are written directly (no e-mails for rounds that ended months ago).
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from partners.selectors import contact_list
from readiness import selectors, services
from readiness.models import Answer, AnswerType, AssessmentRound, Respondent, RoundStatus

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

ROUND_TITLES = ("Baseline readiness, spring 2026", "Six-month check-in, autumn 2026")

# Intended workgroup level per dimension (1–5) in each round.
LEVELS = {
    "vision": (3.3, 4.1), "leadership": (2.9, 3.8), "engagement": (3.0, 3.7), "resources": (2.1, 2.6),
    "protocols": (1.9, 3.5), "data": (2.0, 2.7), "training": (2.3, 3.3), "sustainability": (2.6, 3.0),
}
# Where organizations see things differently (added to every dimension, or to one).
ORGANIZATION_BIAS = {
    "Riverbend Crisis Line (988)": {"*": 0.4},
    "Riverbend County Emergency Communications (911)": {"*": -0.2, "vision": -1.2},
    "Riverbend Mobile Crisis Team": {"resources": -0.8},
    "State Office of Behavioral Health": {"*": 0.3, "resources": 0.6},
    "Riverbend County Sheriff's Office": {"vision": -0.9, "training": 0.4},
    "Riverbend Fire & EMS": {"data": -0.4},
    "Voices of Recovery Riverbend": {"engagement": -0.7},
    "Bridgeway Crisis Stabilization Center": {},
}
REMARKS = {
    "What would help your organization take a fuller part?": "A standing slot on the agenda for front-line staff.",
    "Which of your systems (phone, CAD, records) would need to change?": "CAD call types and the phone tree.",
}


def seed_readiness_demo(*, workgroup: Workgroup, actor: User) -> None:
    """Idempotent: does nothing when the demo rounds exist."""
    if AssessmentRound.objects.filter(workgroup=workgroup, title__in=ROUND_TITLES).exists():
        return
    services.instrument_ensure_default(workgroup=workgroup, actor=actor)
    version = selectors.published_versions(workgroup=workgroup).first()
    dimensions = selectors.version_dimensions(version=version)
    contacts = {}
    for contact in contact_list(workgroup=workgroup).exclude(email="").order_by("-is_primary", "pk"):
        contacts.setdefault(contact.organization.name, contact)
    rng = random.Random(988)  # noqa: S311  (repeatable demo answers, not security)
    today = timezone.localdate()
    for index, title in enumerate(ROUND_TITLES):
        opened = timezone.now() - timedelta(days=(1 - index) * 182 + 40)
        round_ = services.round_open(
            actor=actor, workgroup=workgroup, instrument_version=version, title=title, goal=workgroup.goal,
            scope_statement="Transfers of behavioral-health crisis calls between the county 988 center and the "
                            "two PSAPs, mobile crisis dispatch, and what EMS and the sheriff's office do when a "
                            "call needs both.",
            due_date=today,
        )
        AssessmentRound.objects.filter(pk=round_.pk).update(
            opened_at=opened, due_date=(opened + timedelta(days=21)).date(), status=RoundStatus.CLOSED,
            closed_at=opened + timedelta(days=24),
        )
        for name, bias in ORGANIZATION_BIAS.items():
            contact = contacts.get(name)
            if contact is None:
                continue
            _answer(round_, contact, dimensions, bias, index, rng, submitted_at=opened + timedelta(days=10))
        round_.refresh_from_db()
        _accept_gaps(round_, actor, index, today)


def _answer(round_, contact, dimensions, bias, index, rng, *, submitted_at) -> None:
    respondent = Respondent.objects.create(
        workgroup=round_.workgroup, round=round_, contact=contact, name=contact.name, email=contact.email.lower(),
        organization=contact.organization, organization_name=contact.organization.name,
        role_title=contact.title or "Partner representative", token_nonce=secrets.token_hex(16),
        link_expires_at=submitted_at + timedelta(days=20), started_at=submitted_at - timedelta(days=2),
        submitted_at=submitted_at,
    )
    answers = []
    for dimension in dimensions:
        level = LEVELS.get(dimension.key, (3, 3))[index] + bias.get("*", 0) + bias.get(dimension.key, 0)
        for item in dimension.items.all():
            choice, number, text = "", None, ""
            if item.answer_type == AnswerType.NUMBER:
                number = Decimal(rng.randint(4, 40) * (index + 1))
            elif item.answer_type == AnswerType.TEXT:
                text = REMARKS.get(item.statement, "") if rng.random() < 0.5 else ""
            else:
                score = max(1, min(5, round(level + rng.uniform(-0.7, 0.7))))
                if rng.random() < 0.05:
                    choice = "unsure"
                elif item.answer_type == AnswerType.YES_PARTLY_NO:
                    choice = "yes" if score >= 4 else "partly" if score == 3 else "no"
                else:
                    choice = str(6 - score if item.reverse_scored else score)
            answers.append(Answer(respondent=respondent, item=item, choice=choice, number=number, text=text))
    Answer.objects.bulk_create(answers)


def _accept_gaps(round_, actor, index, today) -> None:
    """Round 1's weakest gaps were dealt with; round 2's are under way, one already late."""
    organizations = {c.organization.name: c.organization for c in contact_list(workgroup=round_.workgroup)}
    owners = ["State Office of Behavioral Health", "Riverbend Crisis Line (988)",
              "Riverbend County Emergency Communications (911)"]
    dimension_gaps = [p for p in selectors.gap_proposals(round=round_) if p.kind == "dimension"][:3]
    for n, proposal in enumerate(dimension_gaps):
        due = today - timedelta(days=100 - 10 * n) if index == 0 else today + timedelta(days=30 * n if n else -12)
        action = services.action_accept(
            actor=actor, round=round_, source_key=proposal.source_key, title=proposal.title,
            description=proposal.finding, owner_organization=organizations.get(owners[n % len(owners)]),
            due_date=due,
        )
        status = "done" if index == 0 else ("in_progress" if n else "open")
        services.action_update(actor=actor, action=action, title=action.title, description=action.description,
                               owner_organization=action.owner_organization, due_date=action.due_date,
                               status=status)
