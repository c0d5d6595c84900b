"""The audit trail's hash chain: a row changed, removed or slipped in afterwards shows.

**One chain per workgroup.** Each ``AuditEvent`` carries ``seq`` (1, 2, 3, … within its workgroup) and
``row_hash`` = SHA-256 of the previous row's ``row_hash`` (64 zeros before the first), a newline, and the
row's canonical content (``canonical``). Per workgroup rather than one chain for the site because a
workgroup deleted for good takes its whole trail with it (its chain ends; no other chain has a gap), because
appends in one workgroup never wait for another's, and because a workgroup's auditor can verify its chain
alone (``manage.py verify_audit_chain --workgroup <slug>``).

**What is hashed**: the workgroup, the position, the time (UTC, to the microsecond), the actor's name as
recorded, the kind of change, the record (type, label, id, text) and the changes (JSON with sorted keys).
Not hashed: the row's ``id`` (the database draws it at insert, after the hash is made; ``seq`` is the
order) and ``actor_id``, the one column that may legitimately change: deleting an account sets it to NULL
(``on_delete=SET_NULL``), and the PostgreSQL trigger allows exactly that change. The name, which is hashed,
keeps saying who it was.

**Appending** (``seal``) happens in the inserting transaction: take the chain's lock, read its head (the
row with the highest ``seq``), number and hash the new rows in order, insert them. The lock is held until
the transaction ends, so a second transaction appending to the same chain waits and then reads the head
the first one committed; rolled-back appends leave no trace. On PostgreSQL the lock is
``pg_advisory_xact_lock(LOCK_CLASS, workgroup id)``, and the head is read by a separate statement after
it, so that under READ COMMITTED the statement's snapshot includes what the previous holder committed.
On SQLite (``make run``) transactions are IMMEDIATE (settings): the database's single write lock is
taken when the transaction begins, so appends are already one at a time. The unique
(workgroup, seq) constraint backs this up: were the lock ever bypassed (or a transaction run under
REPEATABLE READ, whose snapshot is older than the lock), the second append fails instead of forking the
chain.

A hash chain proves the rows still say what they said and in that order; it cannot show rows cut off
its *end*. ``verify_audit_chain`` prints each chain's head (``seq`` and hash): keep that output
elsewhere (a daily cron mail) and a head that went backwards shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.utils import timezone

if TYPE_CHECKING:
    from toolkit.models import AuditEvent

GENESIS = "0" * 64
LOCK_CLASS = 0x61756474  # "audt": the first key of the advisory lock; the second is the workgroup id
HASHED_FIELDS = ("workgroup_id", "seq", "occurred_at", "actor_name", "action", "object_type", "object_label",
                 "object_id", "object_repr", "changes")


def _utc(moment: datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: dict[str, Any]) -> str:
    """The row as hashed: a JSON object of ``HASHED_FIELDS``, sorted keys, no spaces, UTF-8 as is."""
    content = {name: values[name] for name in HASHED_FIELDS}
    content["occurred_at"] = _utc(content["occurred_at"])
    for name in ("actor_name", "action", "object_type", "object_label", "object_id", "object_repr"):
        content[name] = str(content[name])
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(previous: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(f"{previous}\n{canonical(values)}".encode()).hexdigest()


def values_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def lock_chain(workgroup_id: int, *, using: str) -> None:
    """Hold the chain's lock until the transaction ends (PostgreSQL; SQLite's write lock is already held)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The key's second half is an int4: ids past 2**31 share a lock with another workgroup, which
            # only makes them wait for each other.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, workgroup_id % 2**31])


def chain_head(workgroup_id: int, *, using: str) -> tuple[int, str]:
    """(seq, row_hash) of the chain's last row, or (0, GENESIS) for an empty chain."""
    from toolkit.models import AuditEvent

    head = (AuditEvent.objects.using(using).filter(workgroup_id=workgroup_id).order_by("-seq")
            .values_list("seq", "row_hash").first())
    return head or (0, GENESIS)


def seal(events: Sequence[AuditEvent], *, using: str) -> None:
    """Number and hash these new rows onto their chains. Call inside the transaction that inserts them."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("Audit rows are sealed inside the transaction that inserts them.")
    by_workgroup: dict[int, list[AuditEvent]] = {}
    for event in events:
        by_workgroup.setdefault(event.workgroup_id, []).append(event)
    for workgroup_id in sorted(by_workgroup):  # one order for every caller: no two appends deadlock
        lock_chain(workgroup_id, using=using)
        seq, previous = chain_head(workgroup_id, using=using)
        for event in by_workgroup[workgroup_id]:
            # What the database will give back: JSON as JSON text reads it, times to the microsecond.
            event.changes = json.loads(json.dumps(event.changes, cls=DjangoJSONEncoder))
            seq += 1
            event.seq = seq
            event.row_hash = previous = row_hash(previous, values_of(event))


# --- Verifying ------------------------------------------------------------------------------


class ChainBreak(Exception):
    def __init__(self, event: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.event, self.reason = event, reason


VERIFY_CHUNK = 5000


def verify_chain(workgroup_id: int, *, using: str = "default", chunk: int = VERIFY_CHUNK) -> tuple[int, str]:
    """Walk one chain in order, ``chunk`` rows at a time (keyset on the unique (workgroup, seq) index).

    Returns (rows, head hash); raises ``ChainBreak`` naming the first row that does not follow.
    """
    from toolkit.models import AuditEvent

    fields = ("id", *HASHED_FIELDS, "row_hash")
    rows = AuditEvent.objects.using(using).filter(workgroup_id=workgroup_id).order_by("seq").values(*fields)
    expected, previous, count = 1, GENESIS, 0
    while True:
        batch = list(rows.filter(seq__gte=expected)[:chunk])
        if not batch:
            return count, previous
        for event in batch:
            if event["seq"] != expected:
                raise ChainBreak(event, f"rows {expected}–{event['seq'] - 1} of the chain are missing before it "
                                        "(deleted)" if event["seq"] > expected else "its position is repeated")
            if row_hash(previous, event) != event["row_hash"]:
                raise ChainBreak(event, "its content does not match its hash: it was changed after it was written, "
                                        "or the row before it was replaced")
            previous, expected, count = event["row_hash"], expected + 1, count + 1

