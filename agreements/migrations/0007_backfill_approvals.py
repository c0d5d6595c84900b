"""Agreements approved before approvals were recorded on the row: take the date and the approver from history.

For an approved or executed agreement without ``approved_at``, walk its history back from the newest row while
the status is approved or executed; the oldest of those rows is the approval (its date and the person).
"""

from django.db import migrations

SIGNED_OFF = ("approved", "executed")


def backfill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    History = apps.get_model("agreements", "HistoricalAgreement")
    for agreement in Agreement.objects.filter(status__in=SIGNED_OFF, approved_at__isnull=True).iterator():
        approval = None
        for row in History.objects.filter(id=agreement.pk).order_by("-history_date", "-history_id"):
            if row.status not in SIGNED_OFF:
                break
            if row.status == "approved":
                approval = row
        if approval is not None:
            Agreement.objects.filter(pk=agreement.pk).update(approved_at=approval.history_date,
                                                             approved_by_id=approval.history_user_id)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_packet_zip")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
