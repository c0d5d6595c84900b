# Workgroups created before the default instrument was made with the workgroup got it from the readiness
# start page, which no longer writes. This gives every existing workgroup without any instrument its
# published copy of the default instrument, once.

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

from readiness import defaults  # plain data only: no models, no services


def create_missing_default_instruments(apps, schema_editor):
    Workgroup = apps.get_model("toolkit", "Workgroup")
    Instrument = apps.get_model("readiness", "Instrument")
    InstrumentVersion = apps.get_model("readiness", "InstrumentVersion")
    Dimension = apps.get_model("readiness", "Dimension")
    Item = apps.get_model("readiness", "Item")
    for workgroup in Workgroup.objects.exclude(readiness_instrument_set__isnull=False).only("pk").iterator():
        instrument = Instrument.objects.create(workgroup=workgroup, name=defaults.INSTRUMENT_NAME,
                                               description=defaults.INSTRUMENT_DESCRIPTION)
        version = InstrumentVersion.objects.create(
            workgroup=workgroup, instrument=instrument, number=1, status="published", published_at=timezone.now(),
            change_summary="The toolkit's default instrument",
        )
        items = []
        for d_order, (key, name, description, action, statements) in enumerate(defaults.DIMENSIONS):
            dimension = Dimension.objects.create(workgroup=workgroup, version=version, key=key, name=name,
                                                 description=description, suggested_action=action, order=d_order)
            items += [
                Item(workgroup=workgroup, version=version, dimension=dimension, statement=statement,
                     help_text=help_text, answer_type=answer_type, weight=Decimal(weight), reverse_scored=reverse,
                     order=i_order)
                for i_order, (statement, help_text, answer_type, weight, reverse) in enumerate(statements)
            ]
        Item.objects.bulk_create(items)


class Migration(migrations.Migration):

    dependencies = [
        ("readiness", "0004_growth_indexes_restrict_and_respondent_links"),
        ("toolkit", "0002_core_for_growth"),
    ]

    operations = [
        migrations.RunPython(create_missing_default_instruments, migrations.RunPython.noop),
    ]
