"""``toolkit.bulk``: new instances built from field values, and rows written with COPY (bulk_create on SQLite)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from toolkit import audit_chain
from toolkit.bulk import copy_create, instance_maker
from toolkit.models import AuditAction, AuditEvent
from triage.models import Transfer

pytestmark = pytest.mark.django_db

new_event = instance_maker(AuditEvent)
new_transfer = instance_maker(Transfer)


def test_a_made_instance_equals_what_the_constructor_builds(workgroup, coordinator):
    made = new_event(workgroup_id=workgroup.pk, actor_id=coordinator.pk, action=AuditAction.CREATED,
                     object_type="triage.transfer", object_id="7")
    built = AuditEvent(workgroup=workgroup, actor=coordinator, action=AuditAction.CREATED,
                       object_type="triage.transfer", object_id="7")
    for field in AuditEvent._meta.concrete_fields:
        if field.name != "occurred_at":
            assert getattr(made, field.attname) == getattr(built, field.attname), field.name
    assert made.pk is None and made._state.adding
    assert made.changes == [] and made.changes is not new_event(workgroup_id=1).changes  # a new list each
    assert abs((made.occurred_at - timezone.now()).total_seconds()) < 60
    assert made.workgroup == workgroup  # relations load from their ids


def test_a_field_the_model_lacks_is_refused():
    with pytest.raises(TypeError, match="has no field sending_organization"):
        new_transfer(sending_organization=1)


def test_copied_rows_read_back_exactly_with_their_ids(workgroup, coordinator):
    hard = "tab\there, line\nbreak, carriage\rreturn, back\\slash, \\N, quote \" and ' and “curly”"
    events = [
        new_event(workgroup_id=workgroup.pk, actor_id=None, actor_name="", action=AuditAction.CREATED,
                  object_type="x.y", object_label="Y", object_id="1", object_repr=hard,
                  changes=[{"field": "Name", "old": hard, "new": None}]),
        new_event(workgroup_id=workgroup.pk, actor_id=coordinator.pk, actor_name="C", action=AuditAction.CREATED,
                  object_type="x.y", object_label="Y", object_id="2", object_repr=""),
    ]
    with transaction.atomic():
        audit_chain.seal(events, using="default")  # onto the hash chain first, as record_created_in_bulk does
        copy_create(events)
    assert all(event.pk for event in events) and not events[0]._state.adding
    first, second = (AuditEvent.objects.get(pk=event.pk) for event in events)
    assert first.object_repr == hard and first.changes == [{"field": "Name", "old": hard, "new": None}]
    assert first.actor_id is None and first.actor_name == ""  # NULL stays NULL, an empty string stays empty
    assert second.actor_id == coordinator.pk and second.object_repr == "" and second.changes == []


def test_copied_transfers_get_their_creation_time_and_a_unique_clash_is_an_integrity_error(workgroup):
    sender, receiver = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    initiated = timezone.now().replace(microsecond=0)

    def transfer(call_id: str) -> Transfer:
        return new_transfer(workgroup_id=workgroup.pk, direction="911_to_988", sending_organization_id=sender.pk,
                            receiving_organization_id=receiver.pk, source_organization_id=sender.pk,
                            partner_call_id=call_id, initiated_at=initiated, result="accepted")

    before = timezone.now()
    rows = [transfer("A-1"), transfer("A-2")]
    copy_create(rows)
    saved = Transfer.objects.get(pk=rows[1].pk)
    assert saved.initiated_at == initiated and saved.partner_call_id == "A-2" and saved.kind == "warm"
    assert saved.created_at >= before and saved.accepted_at is None and saved.consent == ""
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_create([transfer("A-1")])
    assert Transfer.objects.filter(workgroup=workgroup).count() == 2
