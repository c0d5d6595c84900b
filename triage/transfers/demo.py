"""Demo transfers: a year of ~5,000 records between the demo partners, consistent with the demo protocol.

Deterministic (one seeded ``random.Random``), written with ``bulk_create`` in batches plus one audit row each,
and idempotent: a workgroup that has the demo's call ids already is left alone. Each record's reason comes from
``fill_reason`` with the workgroup's ``RoutingFacts``, exactly as the form, the API and the import fill it in.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import LinePurpose, Organization, TransferLine
from toolkit.audit import record_created_in_bulk
from triage.models import (
    Consent,
    Direction,
    FollowUpOutcome,
    Node,
    NodeKind,
    Transfer,
    TransferKind,
    TransferResult,
    TransferSource,
)
from triage.transfers.services import fill_reason, routing_facts, transfer_create_incident

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

SEED = 15
DAYS = 365
PER_DAY = 13.7  # about 5,000 a year
BATCH = 1000
INCIDENTS = 6  # dropped transfers reported for review
CALL_ID_PREFIXES = ("RB911-", "RB988-")  # the demo's partner call ids: how a second run knows it ran

CENTER = "Riverbend Crisis Line (988)"
PSAPS = ("Riverbend County Emergency Communications (911)", "Harbor City Police Dispatch (PSAP)")
MOBILE = "Riverbend Mobile Crisis Team"

# direction, share of the calls, routes of the outcomes that send it, warm share, seconds to accept (median)
MIX = (
    (Direction.FROM_911_TO_988, 0.50, ("911_to_988",), 0.85, 35),
    (Direction.FROM_988_TO_MOBILE, 0.35, ("988_mobile_crisis", "tribal_local"), 0.65, 240),
    (Direction.FROM_988_TO_911, 0.12, ("988_to_911", "ems", "ems_le_with_bh", "law_enforcement"), 0.95, 20),
    (Direction.FROM_911_TO_MOBILE, 0.03, ("co_response", "988_mobile_crisis"), 0.5, 300),
)
RESULTS = ((TransferResult.ACCEPTED, 0.875), (TransferResult.CALLER_DISCONNECTED, 0.04),
           (TransferResult.DROPPED, 0.035), (TransferResult.REFUSED, 0.03), (TransferResult.RETURNED, 0.02))
FOLLOW_UPS = ((FollowUpOutcome.REACHED_SAFE, 0.55), (FollowUpOutcome.REACHED_HELP, 0.25),
              (FollowUpOutcome.DECLINED, 0.08), (FollowUpOutcome.NOT_REACHED, 0.12))
# Calls by hour of day (local): quiet at dawn, busiest in the evening.
HOURLY = (4, 3, 3, 2, 2, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 7, 7, 8, 8, 8, 8, 7, 6, 5)


def _pick(rng: random.Random, weighted) -> object:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def has_demo_transfers(workgroup: Workgroup) -> bool:
    prefixes = Q()
    for prefix in CALL_ID_PREFIXES:
        prefixes |= Q(partner_call_id__startswith=prefix)
    return Transfer.objects.filter(prefixes, workgroup=workgroup).exists()


def seed_transfers_demo(*, workgroup: Workgroup, actor: User) -> None:
    """About 5,000 transfers over the past year, a handful of dropped ones reported as incidents."""
    organizations = {org.name: org for org in Organization.objects.filter(
        workgroup=workgroup, name__in=(CENTER, MOBILE, *PSAPS))}
    if CENTER not in organizations or MOBILE not in organizations or not any(p in organizations for p in PSAPS):
        return  # not the demo partner map
    if has_demo_transfers(workgroup):
        return
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    facts = routing_facts(workgroup=workgroup)
    world = _World(workgroup, organizations, facts)
    rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not a secret)
    transfers = [_transfer(rng, world, when, now) for when in _moments(rng, start, now)]
    with transaction.atomic():
        for first in range(0, len(transfers), BATCH):
            created = Transfer.objects.bulk_create(transfers[first:first + BATCH])
            record_created_in_bulk(workgroup_id=workgroup.pk, actor=actor, objects=created)
    _report_some_dropped(rng, actor, transfers, now)


class _World:
    """The demo's partners, their lines and the protocol's outcomes by route, read once."""

    def __init__(self, workgroup: Workgroup, organizations: dict[str, Organization], facts) -> None:
        self.workgroup = workgroup
        self.facts = facts
        self.center = organizations[CENTER]
        self.mobile = organizations[MOBILE]
        self.psaps = [organizations[name] for name in PSAPS if name in organizations]
        self.lines: dict[int, list[TransferLine]] = {}
        for line in TransferLine.objects.filter(workgroup=workgroup, is_active=True).order_by("pk"):
            self.lines.setdefault(line.organization_id, []).append(line)
        versions = {version.pk for _, _, version in facts.periods}
        self.outcomes: dict[tuple[int, str], list[Node]] = {}
        for node in (Node.objects.filter(version_id__in=versions, kind=NodeKind.OUTCOME)
                     .select_related("risk_level").order_by("pk")):
            self.outcomes.setdefault((node.version_id, node.route), []).append(node)
        self.call_numbers: dict[int, int] = {}

    def partners(self, rng: random.Random, direction: str) -> tuple[Organization, Organization]:
        psap = self.psaps[0] if rng.random() < 0.8 or len(self.psaps) == 1 else self.psaps[1]
        return {
            Direction.FROM_911_TO_988: (psap, self.center),
            Direction.FROM_988_TO_MOBILE: (self.center, self.mobile),
            Direction.FROM_988_TO_911: (self.center, self.psaps[0]),
            Direction.FROM_911_TO_MOBILE: (psap, self.mobile),
        }[direction]

    def line_for(self, receiver: Organization, direction: str) -> TransferLine | None:
        """The receiver's line for calls from this sender's side (its first line otherwise), if the directory has it."""
        lines = self.lines.get(receiver.pk, [])
        wanted = {Direction.FROM_911_TO_988: LinePurpose.FROM_911, Direction.FROM_988_TO_911: LinePurpose.FROM_988,
                  Direction.FROM_988_TO_MOBILE: LinePurpose.MOBILE_DISPATCH,
                  Direction.FROM_911_TO_MOBILE: LinePurpose.MOBILE_DISPATCH}.get(direction)
        return next((line for line in lines if line.purpose == wanted), lines[0] if lines else None)

    def outcome(self, rng: random.Random, when: datetime, routes: tuple[str, ...]) -> Node | None:
        in_force = self.facts.versions_in_force(when)
        if len(in_force) != 1:
            return None
        choices = [node for route in routes for node in self.outcomes.get((in_force[0].pk, route), [])]
        return rng.choice(choices) if choices else None

    def call_id(self, sender: Organization, when: datetime) -> str:
        number = self.call_numbers[sender.pk] = self.call_numbers.get(sender.pk, 0) + 1
        prefix = CALL_ID_PREFIXES[1] if sender.pk == self.center.pk else CALL_ID_PREFIXES[0]
        return f"{prefix}{timezone.localtime(when):%y}-{sender.pk % 100:02d}{number:06d}"


def _moments(rng: random.Random, start: datetime, now: datetime) -> list[datetime]:
    """When each transfer was initiated, oldest first: a Poisson-like count a day, spread over the day's hours."""
    moments = []
    day = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < now:
        count = max(0, round(rng.gauss(PER_DAY, math.sqrt(PER_DAY))))
        for _ in range(count):
            hour = rng.choices(range(24), weights=HOURLY)[0]
            moment = day + timedelta(hours=hour, seconds=rng.randrange(3600))
            if start <= moment < now - timedelta(minutes=30):
                moments.append(moment)
        day = timezone.localtime(day + timedelta(hours=26)).replace(hour=0, minute=0, second=0, microsecond=0)
    return sorted(moments)


def _transfer(rng: random.Random, world: _World, when: datetime, now: datetime) -> Transfer:
    direction, _, routes, warm_share, median = rng.choices(MIX, weights=[row[1] for row in MIX])[0]
    sender, receiver = world.partners(rng, direction)
    result = _pick(rng, RESULTS)
    accepted_at = None
    if result in (TransferResult.ACCEPTED, TransferResult.RETURNED):
        accepted_at = when + timedelta(seconds=max(3, round(rng.lognormvariate(math.log(median), 0.7))))
    talk = timedelta(minutes=rng.uniform(4, 45)) if accepted_at else timedelta(seconds=rng.uniform(20, 240))
    line = world.line_for(receiver, direction)
    transfer = Transfer(
        workgroup=world.workgroup, direction=direction, sending_organization=sender, receiving_organization=receiver,
        line=line, source_organization=sender,
        partner_call_id=world.call_id(sender, when), call_received_at=when - timedelta(seconds=rng.randint(60, 720)),
        initiated_at=when, accepted_at=accepted_at, ended_at=(accepted_at or when) + talk,
        kind=TransferKind.WARM if rng.random() < warm_share else TransferKind.COLD,
        consent=_consent(rng, direction), result=result, outcome=world.outcome(rng, when, routes),
        source=TransferSource.FORM,
    )
    fill_reason(transfer, world.facts)
    _follow_up(rng, transfer, now)
    return transfer


def _consent(rng: random.Random, direction: str) -> str:
    if direction == Direction.FROM_988_TO_911:
        return Consent.NOT_REQUIRED if rng.random() < 0.6 else Consent.AGREED
    return Consent.AGREED if rng.random() < 0.9 else Consent.NOT_ASKED


def _follow_up(rng: random.Random, transfer: Transfer, now: datetime) -> None:
    """Most follow-ups are done within the window, some late, some still open."""
    due = transfer.follow_up_due_at
    window = due - transfer.initiated_at
    roll = rng.random()
    if roll < 0.8:
        done = transfer.initiated_at + window * rng.uniform(0.05, 0.95)
    elif roll < 0.9:
        done = due + timedelta(hours=rng.uniform(1, 96))
    else:
        return
    if done < now:
        transfer.follow_up_done_at = done
        transfer.follow_up_outcome = _pick(rng, FOLLOW_UPS)


def _report_some_dropped(rng: random.Random, actor: User, transfers: list[Transfer], now: datetime) -> None:
    """A few recent dropped transfers reported for review, through the same service as the button."""
    recent = [t for t in transfers if t.result == TransferResult.DROPPED and t.initiated_at > now - timedelta(days=90)]
    for transfer in sorted(rng.sample(recent, min(INCIDENTS, len(recent))), key=lambda t: t.initiated_at):
        transfer_create_incident(actor=actor, transfer=transfer)
