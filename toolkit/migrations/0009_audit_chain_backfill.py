"""The audit trail's hash chain, step 2 of 3: chain the rows written before it, per workgroup, in id order.

Constant memory: each workgroup's rows are read 2,000 at a time by id (keyset) and updated in the same
batches. Hashing uses ``toolkit.audit_chain.row_hash``, whose canonical form never changes (a change
would break every stored chain).
"""

from django.db import migrations

from toolkit.audit_chain import GENESIS, HASHED_FIELDS, row_hash

BATCH = 2000


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("toolkit", "AuditEvent")
    Workgroup = apps.get_model("toolkit", "Workgroup")
    db = schema_editor.connection.alias
    for workgroup_id in Workgroup.objects.using(db).order_by("pk").values_list("pk", flat=True).iterator():
        rows = AuditEvent.objects.using(db).filter(workgroup_id=workgroup_id).order_by("pk")
        seq, previous, last_id = 0, GENESIS, 0
        while batch := list(rows.filter(pk__gt=last_id).only("pk", *HASHED_FIELDS)[:BATCH]):
            for event in batch:
                seq += 1
                event.seq = seq
                event.row_hash = previous = row_hash(previous, {f: getattr(event, f) for f in HASHED_FIELDS})
            AuditEvent.objects.using(db).bulk_update(batch, ["seq", "row_hash"])
            last_id = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('toolkit', '0008_audit_chain_fields'),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop, elidable=False),
    ]
