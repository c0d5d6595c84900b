# Indexes for the list pages' filters and ordering; a version in force is RESTRICTed, not PROTECTed
# (it still cannot be deleted alone, and now goes with its protocol or workgroup).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0002_tree_history'),
    ]

    operations = [
        migrations.AlterField(
            model_name='inforceperiod',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='in_force_periods', to='triage.protocolversion'),
        ),
        migrations.AddIndex(
            model_name='approval',
            index=models.Index(fields=['version', 'approved_on'], name='triage_approval_version_date'),
        ),
        migrations.AddIndex(
            model_name='criterion',
            index=models.Index(fields=['version', 'order'], name='triage_criterion_version_order'),
        ),
        migrations.AddIndex(
            model_name='inforceperiod',
            index=models.Index(fields=['protocol', '-started_at'], name='triage_period_protocol_start'),
        ),
        migrations.AddIndex(
            model_name='inforceperiod',
            index=models.Index(fields=['workgroup', 'started_at'], name='triage_period_wg_start'),
        ),
        migrations.AddIndex(
            model_name='node',
            index=models.Index(fields=['version', 'order', 'id'], name='triage_node_version_order'),
        ),
        migrations.AddIndex(
            model_name='option',
            index=models.Index(fields=['node', 'order', 'id'], name='triage_option_node_order'),
        ),
        migrations.AddIndex(
            model_name='protocol',
            index=models.Index(fields=['workgroup', 'name'], name='triage_protocol_wg_name'),
        ),
        migrations.AddIndex(
            model_name='protocolversion',
            index=models.Index(fields=['workgroup', 'status'], name='triage_version_wg_status'),
        ),
        migrations.AddIndex(
            model_name='risklevel',
            index=models.Index(fields=['version', 'order'], name='triage_level_version_order'),
        ),
    ]
