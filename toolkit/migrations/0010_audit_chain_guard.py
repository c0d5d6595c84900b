"""The audit trail's hash chain, step 3 of 3: every row has its place, and PostgreSQL guards the rows.

On PostgreSQL a trigger refuses, for every role including the table's owner and superusers:

* **UPDATE**, except the one change deleting an account makes (``actor`` is ``SET_NULL``): ``actor_id``
  from a user to NULL with every other column unchanged. ``actor_id`` is not part of the hash, and the
  hashed ``actor_name`` keeps saying who acted.
* **DELETE**, except of rows whose workgroup no longer exists: deleting a workgroup for good deletes
  the workgroup row first and its trail after it, in one transaction (``toolkit.services.deletion``).
  Foreign keys are checked only at commit, so a transaction could otherwise delete a workgroup, remove some
  of its trail and put the workgroup back: a deleted trail leaves its workgroup's id in
  ``toolkit_audit_erased_workgroup``, no workgroup can be inserted with such an id, and that table takes no
  UPDATE, DELETE or (but by a superuser) TRUNCATE.
  Removing a trail therefore means removing the whole workgroup with it, never a few rows quietly.
* **TRUNCATE** (every workgroup's trail at once, which the app never does), except for a superuser:
  ``manage.py flush`` or a stray TRUNCATE through the app's role fails; Django's test-database flush and a
  DBA, who could disable the trigger anyway, are not stopped.

A role that owns the table can still ``ALTER TABLE … DISABLE TRIGGER``; the README says how to run the
app as a role that cannot (migrations as the owner, the app without ownership). SQLite has no such
guard: there the Python layer refuses updates and the hash chain shows any change made behind its back.
"""

from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION toolkit_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $guard$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;  -- an account deleted: the row forgets the account, keeps the name
        END IF;
        RAISE EXCEPTION 'audit events are append-only: UPDATE of audit event % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM toolkit_workgroup WHERE id = OLD.workgroup_id) THEN
            INSERT INTO toolkit_audit_erased_workgroup (workgroup_id) VALUES (OLD.workgroup_id)
                ON CONFLICT DO NOTHING;
            RETURN OLD;  -- its workgroup was deleted for good in this transaction: the trail goes too
        END IF;
        RAISE EXCEPTION 'audit events are append-only: DELETE of audit event % refused while workgroup % exists',
            OLD.id, OLD.workgroup_id USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'TRUNCATE' THEN
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$guard$;

CREATE TRIGGER toolkit_auditevent_guard BEFORE UPDATE OR DELETE ON toolkit_auditevent
    FOR EACH ROW EXECUTE FUNCTION toolkit_auditevent_guard();

-- Foreign keys are checked at commit, so a transaction could delete a workgroup, then some of its trail, then
-- put the workgroup back. A trail deleted with its workgroup leaves the workgroup's id in a tombstone table,
-- and a workgroup with a tombstoned id can never be inserted again; the tombstones cannot be removed.
CREATE TABLE IF NOT EXISTS toolkit_audit_erased_workgroup (
    workgroup_id bigint PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION toolkit_audit_tombstone_guard() RETURNS trigger
LANGUAGE plpgsql AS $guard$
BEGIN
    IF TG_TABLE_NAME = 'toolkit_workgroup' THEN
        IF EXISTS (SELECT 1 FROM toolkit_audit_erased_workgroup WHERE workgroup_id = NEW.id) THEN
            RAISE EXCEPTION 'workgroup % was deleted with its audit trail; its id cannot be used again', NEW.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the record of erased audit trails is append-only' USING ERRCODE = 'insufficient_privilege';
END
$guard$;
CREATE TRIGGER toolkit_audit_tombstone_guard BEFORE INSERT OR UPDATE OF id ON toolkit_workgroup
    FOR EACH ROW EXECUTE FUNCTION toolkit_audit_tombstone_guard();
CREATE TRIGGER toolkit_audit_tombstone_keep BEFORE UPDATE OR DELETE ON toolkit_audit_erased_workgroup
    FOR EACH ROW EXECUTE FUNCTION toolkit_audit_tombstone_guard();
CREATE TRIGGER toolkit_audit_tombstone_keep_truncate BEFORE TRUNCATE ON toolkit_audit_erased_workgroup
    FOR EACH STATEMENT EXECUTE FUNCTION toolkit_audit_tombstone_guard();
CREATE TRIGGER toolkit_auditevent_guard_truncate BEFORE TRUNCATE ON toolkit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION toolkit_auditevent_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS toolkit_audit_tombstone_keep_truncate ON toolkit_audit_erased_workgroup;
DROP TRIGGER IF EXISTS toolkit_audit_tombstone_keep ON toolkit_audit_erased_workgroup;
DROP TRIGGER IF EXISTS toolkit_audit_tombstone_guard ON toolkit_workgroup;
DROP FUNCTION IF EXISTS toolkit_audit_tombstone_guard();
DROP TABLE IF EXISTS toolkit_audit_erased_workgroup;
DROP TRIGGER IF EXISTS toolkit_auditevent_guard_truncate ON toolkit_auditevent;
DROP TRIGGER IF EXISTS toolkit_auditevent_guard ON toolkit_auditevent;
DROP FUNCTION IF EXISTS toolkit_auditevent_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)  # its RAISE messages hold % placeholders


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('toolkit', '0009_audit_chain_backfill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('workgroup', 'seq'), name='audit_chain_position'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.CheckConstraint(condition=models.Q(seq__gte=1), name='audit_chain_starts_at_1'),
        ),
        migrations.RunPython(guard, unguard, elidable=False),
    ]
