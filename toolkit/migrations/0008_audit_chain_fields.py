"""The audit trail's hash chain, step 1 of 3: the columns (filled by 0009, made required by 0010).

The workgroup foreign key becomes DO_NOTHING in Django: deleting a workgroup for good deletes its trail
itself, after the workgroup row, which is the one DELETE the trigger of 0010 lets through.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('toolkit', '0007_job_awaiting_broker'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='row_hash',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='workgroup',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name='audit_events', to='toolkit.workgroup'),
        ),
    ]
