# Before the link constraints change (next migration): make every respondent's link fields agree with
# what it is, under the old constraint and the new one alike. A member has no nonce and no expiry; a
# link respondent without a nonce (its link never worked) gets one, so a coordinator can resend it.

import secrets

from django.db import migrations


def tidy_link_fields(apps, schema_editor):
    Respondent = apps.get_model("readiness", "Respondent")
    Respondent.objects.filter(user__isnull=False).exclude(token_nonce="", link_expires_at__isnull=True).update(
        token_nonce="", link_expires_at=None
    )
    for respondent in Respondent.objects.filter(user__isnull=True, token_nonce="").only("pk"):
        Respondent.objects.filter(pk=respondent.pk).update(token_nonce=secrets.token_hex(16))


class Migration(migrations.Migration):

    dependencies = [
        ("readiness", "0002_respondent_invitation_delivery"),
    ]

    operations = [
        migrations.RunPython(tidy_link_fields, migrations.RunPython.noop),
    ]
