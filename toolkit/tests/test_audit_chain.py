"""The audit trail's hash chain (toolkit.audit_chain), the command that verifies it, and PostgreSQL's guard."""

from __future__ import annotations

import io
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from toolkit import audit, audit_chain, services
from toolkit.audit import record_access, record_created_in_bulk
from toolkit.models import AuditAction, AuditEvent, Membership, Role
from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.postgres


@contextmanager
def _guard_off():
    """What someone with the table owner's rights could do: switch the trigger off for a while."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while FK checks are pending
            cursor.execute("ALTER TABLE toolkit_auditevent DISABLE TRIGGER toolkit_auditevent_guard")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE toolkit_auditevent ENABLE TRIGGER toolkit_auditevent_guard")


def _behind_the_apps_back(sql: str, params: list | None = None) -> None:
    with _guard_off() as cursor:
        cursor.execute(sql, params or [])


def _renumber(workgroup, *, from_seq: int, by: int) -> None:
    """Move rows from ``from_seq`` on by ``by`` places (in two steps, as the positions are unique)."""
    _behind_the_apps_back("UPDATE toolkit_auditevent SET seq = seq + 1000000 WHERE workgroup_id = %s AND seq >= %s",
                          [workgroup.pk, from_seq])
    _behind_the_apps_back("UPDATE toolkit_auditevent SET seq = seq - 1000000 + %s WHERE workgroup_id = %s "
                          "AND seq > 1000000", [by, workgroup.pk])


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


def _busy(workgroup, coordinator, member) -> list[AuditEvent]:
    """Rows from every path that writes them: signals, access records and a bulk import (COPY on PostgreSQL)."""
    membership = Membership.objects.get(user=member, workgroup=workgroup)
    for role in (Role.VIEWER, Role.MEMBER, Role.LEGAL_REVIEWER):
        services.membership_change_role(actor=coordinator, membership=membership, role=role)
    record_access(actor=coordinator, obj=workgroup, action=AuditAction.EXPORTED, detail="Ünïcode “quoted” \t tab",
                  workgroup_id=workgroup.pk)
    record_created_in_bulk(workgroup_id=workgroup.pk, actor=coordinator,
                           objects=[MembershipFactory.build(workgroup=workgroup, pk=9000 + i) for i in range(5)])
    services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Renamed after the import")
    return list(AuditEvent.objects.filter(workgroup=workgroup).order_by("seq"))


# --- The chain ------------------------------------------------------------------------------


def test_every_way_of_writing_the_trail_extends_one_unbroken_chain_per_workgroup(
    workgroup, coordinator, member, other_workgroup
):
    events = _busy(workgroup, coordinator, member)

    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len(events) > 10
    assert audit_chain.verify_chain(workgroup.pk) == (len(events), events[-1].row_hash)
    # The other workgroup's chain starts at 1 of its own.
    assert AuditEvent.objects.filter(workgroup=other_workgroup).order_by("seq").first().seq == 1


def test_a_row_hash_covers_the_previous_rows_hash_and_its_content_but_not_the_account_link(workgroup, coordinator):
    record_access(actor=coordinator, obj=workgroup, action=AuditAction.VIEWED, workgroup_id=workgroup.pk)
    previous, event = AuditEvent.objects.filter(workgroup=workgroup).order_by("-seq")[:2][::-1]
    values = audit_chain.values_of(event)

    assert event.row_hash == audit_chain.row_hash(previous.row_hash, values)
    assert event.row_hash != audit_chain.row_hash(audit_chain.GENESIS, values)
    assert event.row_hash != audit_chain.row_hash(previous.row_hash, {**values, "actor_name": "Someone else"})
    assert "actor_id" not in audit_chain.canonical(values)


def test_a_rolled_back_change_leaves_no_gap(workgroup, coordinator):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Rolled back")
        raise RuntimeError("the request failed")
    services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Kept")

    assert "OK" in _verify("--workgroup", workgroup.slug)


# --- verify_audit_chain -----------------------------------------------------------------------


def test_a_clean_trail_passes_with_its_counts_and_each_chains_head(workgroup, coordinator, member, other_workgroup):
    events = _busy(workgroup, coordinator, member)

    out = _verify()

    assert f"riverbend: {len(events):,} events, head #{len(events)} {events[-1].row_hash}" in out
    assert "elsewhere:" in out
    assert "OK: 2 chains" in out


def test_a_row_changed_behind_the_apps_back_is_named(workgroup, coordinator, member):
    events = _busy(workgroup, coordinator, member)
    target = events[4]
    _behind_the_apps_back("UPDATE toolkit_auditevent SET object_repr = %s WHERE id = %s", ["Nothing to see", target.pk])

    with pytest.raises(CommandError) as broken:
        _verify("--workgroup", "riverbend")

    message = str(broken.value)
    assert f"audit event id {target.pk} (position {target.seq})" in message
    assert "workgroup riverbend" in message and "Nothing to see" in message
    assert "does not match its hash" in message


def test_a_row_deleted_from_the_middle_is_detected_at_the_gap(workgroup, coordinator, member):
    events = _busy(workgroup, coordinator, member)
    _behind_the_apps_back("DELETE FROM toolkit_auditevent WHERE id = %s", [events[5].pk])

    with pytest.raises(CommandError, match=rf"id {events[6].pk} \(position 7\).*rows 6–6 of the chain are missing"):
        _verify()


def test_rows_renumbered_to_hide_a_deletion_are_detected(workgroup, coordinator, member):
    events = _busy(workgroup, coordinator, member)
    _behind_the_apps_back("DELETE FROM toolkit_auditevent WHERE id = %s", [events[5].pk])
    _renumber(workgroup, from_seq=7, by=-1)

    with pytest.raises(CommandError, match=rf"id {events[6].pk} \(position 6\).*does not match its hash"):
        _verify()


def test_two_rows_swapped_are_detected(workgroup, coordinator, member):
    events = _busy(workgroup, coordinator, member)
    _behind_the_apps_back("UPDATE toolkit_auditevent SET seq = 1000000 WHERE id = %s", [events[2].pk])
    _behind_the_apps_back("UPDATE toolkit_auditevent SET seq = 3 WHERE id = %s", [events[3].pk])
    _behind_the_apps_back("UPDATE toolkit_auditevent SET seq = 4 WHERE id = %s", [events[2].pk])

    with pytest.raises(CommandError, match=rf"id {events[3].pk} \(position 3\).*does not match its hash"):
        _verify()


def test_a_row_slipped_in_with_a_hash_of_its_own_breaks_the_row_after_it(workgroup, coordinator, member):
    events = _busy(workgroup, coordinator, member)
    forged = AuditEvent(workgroup=workgroup, occurred_at=events[3].occurred_at, actor_name="Nobody",
                        action=AuditAction.CHANGED, object_type="toolkit.workgroup", object_label="Workgroup",
                        object_id=str(workgroup.pk), object_repr="Forged", changes=[], seq=5)
    forged.row_hash = audit_chain.row_hash(events[3].row_hash, audit_chain.values_of(forged))
    _renumber(workgroup, from_seq=5, by=1)
    AuditEvent.objects.bulk_create([forged])  # a sealed row goes in as it is

    with pytest.raises(CommandError, match=rf"id {events[4].pk} \(position 6\).*does not match its hash"):
        _verify()


def test_an_unknown_workgroup_is_refused_by_name():
    with pytest.raises(CommandError, match="No workgroup with the address “nowhere”"):
        _verify("--workgroup", "nowhere")


def test_the_migration_chains_rows_written_before_it_in_id_order(workgroup, coordinator, member, monkeypatch):
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    events = _busy(workgroup, coordinator, member)
    before_it = MigrationLoader(connection).project_state(("toolkit", "0009_audit_chain_backfill")).apps
    backfill = import_module("toolkit.migrations.0009_audit_chain_backfill")
    monkeypatch.setattr(backfill, "BATCH", 4)  # several batches, as at a million rows
    with _guard_off() as cursor:
        cursor.execute("UPDATE toolkit_auditevent SET seq = 1000000 + id, row_hash = ''")
        backfill.chain_existing_rows(before_it, SimpleNamespace(connection=connection))

    in_order = AuditEvent.objects.filter(workgroup=workgroup).order_by("seq").values_list("pk", flat=True)
    assert list(in_order) == sorted(e.pk for e in events)
    assert "OK" in _verify()


# --- PostgreSQL: the guard --------------------------------------------------------------------


def _refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    return str(refused.value)


@on_postgres
def test_the_apps_connection_cannot_update_or_delete_audit_rows(workgroup, coordinator, member):
    event = _busy(workgroup, coordinator, member)[3]

    assert "UPDATE of audit event" in _refused("UPDATE toolkit_auditevent SET object_repr = 'x' WHERE id = %s",
                                               [event.pk])
    assert "DELETE of audit event" in _refused("DELETE FROM toolkit_auditevent WHERE id = %s", [event.pk])
    assert "refused" in _refused("UPDATE toolkit_auditevent SET actor_id = %s, actor_name = 'x' WHERE id = %s",
                                 [None, event.pk])
    assert "refused" in _refused("UPDATE toolkit_auditevent SET actor_id = %s WHERE id = %s", [member.pk, event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == event.object_repr
    assert "OK" in _verify()


@on_postgres
def test_a_workgroup_deleted_with_its_trail_cannot_be_put_back_to_hide_a_partial_deletion(workgroup, coordinator):
    """Foreign keys are checked at commit: delete the workgroup, some of its trail, then re-insert it? Refused."""
    record_access(actor=coordinator, obj=workgroup, action=AuditAction.VIEWED, workgroup_id=workgroup.pk)
    with transaction.atomic():  # undone at the end: the test's teardown checks the deferred foreign keys
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE kept_workgroup AS SELECT * FROM toolkit_workgroup WHERE id = %s",
                           [workgroup.pk])
            cursor.execute("DELETE FROM toolkit_workgroup WHERE id = %s", [workgroup.pk])
            cursor.execute("DELETE FROM toolkit_auditevent WHERE workgroup_id = %s", [workgroup.pk])

        assert "cannot be used again" in _refused("INSERT INTO toolkit_workgroup SELECT * FROM kept_workgroup")
        assert "append-only" in _refused("DELETE FROM toolkit_audit_erased_workgroup")
        transaction.set_rollback(True)


@on_postgres
def test_a_role_granted_every_right_on_the_table_still_cannot_change_it_or_truncate_it(workgroup, coordinator):
    """As production should run: the app's own role, not a superuser, however broad its grants."""
    record_access(actor=coordinator, obj=workgroup, action=AuditAction.VIEWED, workgroup_id=workgroup.pk)
    event = AuditEvent.objects.filter(workgroup=workgroup).latest("seq")
    role = f"toolkit_app_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test
        cursor.execute(f'GRANT ALL ON toolkit_auditevent, toolkit_workgroup TO "{role}"')
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE, too, refuses while FK checks are pending
        cursor.execute(f'SET LOCAL ROLE "{role}"')

    assert "UPDATE of audit event" in _refused("UPDATE toolkit_auditevent SET action = 'changed' WHERE id = %s",
                                               [event.pk])
    assert "DELETE of audit event" in _refused("DELETE FROM toolkit_auditevent")
    assert "TRUNCATE refused" in _refused("TRUNCATE toolkit_auditevent")


@on_postgres
def test_deleting_an_account_empties_its_link_and_the_chain_still_holds(workgroup, coordinator, member):
    _busy(workgroup, coordinator, member)
    staff = UserFactory(email="staff@x.test", is_staff=True)
    named, name = AuditEvent.objects.filter(actor=coordinator).count(), audit._actor_name(coordinator)

    services.user_delete(actor=staff, user=coordinator, force=True)

    assert named and AuditEvent.objects.filter(actor_name=name, actor=None).count() >= named
    assert "OK" in _verify()


@on_postgres
def test_deleting_a_workgroup_for_good_takes_its_trail_and_leaves_the_others_whole(
    workgroup, coordinator, member, other_workgroup
):
    _busy(workgroup, coordinator, member)
    staff = UserFactory(email="staff@x.test", is_staff=True)
    others = AuditEvent.objects.filter(workgroup=other_workgroup).count()

    report = services.workgroup_delete_permanently(actor=staff, workgroup=workgroup)

    assert report.rows["toolkit.AuditEvent"] > 10
    assert not AuditEvent.objects.filter(workgroup_id=workgroup.pk).exists()
    assert AuditEvent.objects.filter(workgroup=other_workgroup).count() == others
    assert "OK: 1 chains" in _verify()


# --- Two transactions at once -----------------------------------------------------------------


def _append_at_once(workgroup) -> tuple[list[str], float]:
    """Two threads, two connections: the first appends and keeps its transaction open while the second appends.

    Returns the errors and how long the second waited for its append."""
    first_appended, errors, waited = threading.Event(), [], []

    def first() -> None:
        try:
            with transaction.atomic():
                record_access(actor=None, obj=workgroup, action=AuditAction.VIEWED, detail="first",
                              workgroup_id=workgroup.pk)
                first_appended.set()
                time.sleep(0.6)
        except Exception as error:  # noqa: BLE001  (reported to the test)
            errors.append(repr(error))
        finally:
            first_appended.set()
            connection.close()

    def second() -> None:
        first_appended.wait(10)
        try:
            with transaction.atomic():
                start = time.perf_counter()
                record_access(actor=None, obj=workgroup, action=AuditAction.VIEWED, detail="second",
                              workgroup_id=workgroup.pk)
                waited.append(time.perf_counter() - start)
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors, (waited or [0.0])[0]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_appending_at_once_take_turns_and_never_fork_the_chain():
    workgroup = WorkgroupFactory(slug="concurrent")

    errors, waited = _append_at_once(workgroup)

    assert errors == []
    assert waited > 0.3  # the second append waited for the first transaction's commit
    rows = list(AuditEvent.objects.filter(workgroup=workgroup).order_by("seq").values_list("seq", "changes"))
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    assert [changes[0]["new"] for _, changes in rows[-2:]] == ["first", "second"]
    assert "OK" in _verify("--workgroup", "concurrent")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_second_append_would_fork_and_the_database_refuses_it(monkeypatch):
    """The test above can fail: with the lock taken away the two appends do collide."""
    workgroup = WorkgroupFactory(slug="unlocked")
    monkeypatch.setattr(audit_chain, "lock_chain", lambda workgroup_id, *, using: None)

    errors, _ = _append_at_once(workgroup)

    assert len(errors) == 1 and "audit_chain_position" in errors[0]
    assert "OK" in _verify("--workgroup", "unlocked")


def test_a_batch_mixing_sealed_and_unsealed_rows_is_refused(workgroup):
    rows = [AuditEvent(workgroup=workgroup, actor_name="x", action=AuditAction.VIEWED, object_type="t.t",
                       object_label="T", object_id=str(i), object_repr="x", row_hash="f" * 64 if i else "")
            for i in range(2)]
    with pytest.raises(ValueError, match="all of these audit rows or none"):
        AuditEvent.objects.bulk_create(rows)
