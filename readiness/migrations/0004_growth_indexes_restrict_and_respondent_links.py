# Indexes for the readiness pages' filters and ordering; a version a round cites is RESTRICTed, not
# PROTECTed (still not deletable alone, and now goes with its workgroup); a respondent's link fields
# no longer depend on its user, so deleting a member's account (user → NULL) keeps the row and its answers.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('readiness', '0003_respondent_link_fields_agree'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='respondent',
            name='respondent_link_has_expiry',
        ),
        migrations.AlterField(
            model_name='assessmentround',
            name='instrument_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='rounds', to='readiness.instrumentversion'),
        ),
        migrations.AddIndex(
            model_name='actionitem',
            index=models.Index(fields=['workgroup', 'status', 'due_date'], name='readiness_action_wg_status_due'),
        ),
        migrations.AddIndex(
            model_name='actionitem',
            index=models.Index(fields=['workgroup', 'due_date'], name='readiness_action_wg_due'),
        ),
        migrations.AddIndex(
            model_name='assessmentround',
            index=models.Index(fields=['workgroup', '-opened_at', '-id'], name='readiness_round_wg_opened'),
        ),
        migrations.AddIndex(
            model_name='assessmentround',
            index=models.Index(fields=['workgroup', 'status'], name='readiness_round_wg_status'),
        ),
        migrations.AddIndex(
            model_name='assessmentround',
            index=models.Index(fields=['status', 'due_date'], name='readiness_round_status_due'),
        ),
        migrations.AddIndex(
            model_name='dimension',
            index=models.Index(fields=['version', 'order', 'id'], name='readiness_dimension_order'),
        ),
        migrations.AddIndex(
            model_name='instrument',
            index=models.Index(fields=['workgroup', 'name'], name='readiness_instrument_wg_name'),
        ),
        migrations.AddIndex(
            model_name='instrumentversion',
            index=models.Index(fields=['workgroup', 'status'], name='readiness_version_wg_status'),
        ),
        migrations.AddIndex(
            model_name='item',
            index=models.Index(fields=['version', 'order', 'id'], name='readiness_item_version_order'),
        ),
        migrations.AddIndex(
            model_name='item',
            index=models.Index(fields=['dimension', 'order', 'id'], name='readiness_item_dimension_order'),
        ),
        migrations.AddIndex(
            model_name='respondent',
            index=models.Index(fields=['round', 'organization_name', 'name'], name='readiness_respondent_list'),
        ),
        migrations.AddIndex(
            model_name='respondent',
            index=models.Index(fields=['round', 'submitted_at'], name='readiness_respondent_submitted'),
        ),
        migrations.AddIndex(
            model_name='respondent',
            index=models.Index(condition=models.Q(('user__isnull', False)), fields=['user', 'workgroup'], name='readiness_respondent_user'),
        ),
        migrations.AddConstraint(
            model_name='respondent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('token_nonce', ''), ('link_expires_at__isnull', True)), models.Q(models.Q(('token_nonce', ''), _negated=True), ('link_expires_at__isnull', False)), _connector='OR'), name='respondent_link_has_expiry'),
        ),
        migrations.AddConstraint(
            model_name='respondent',
            constraint=models.CheckConstraint(condition=models.Q(('user__isnull', True), ('token_nonce', ''), _connector='OR'), name='respondent_member_has_no_link'),
        ),
    ]
