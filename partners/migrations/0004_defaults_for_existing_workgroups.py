# Workgroups created before the defaults were made with the workgroup got them from the pages that
# read them; those pages no longer write. This gives every existing workgroup that still lacks them
# its copy of the recommended sectors and interoperability functions, once.

from django.db import migrations

from partners import defaults  # plain data only: no models, no services


def create_missing_defaults(apps, schema_editor):
    Workgroup = apps.get_model("toolkit", "Workgroup")
    Sector = apps.get_model("partners", "Sector")
    InteropFunction = apps.get_model("partners", "InteropFunction")
    for workgroup in Workgroup.objects.all().only("pk").iterator():
        sectors = Sector.objects.filter(workgroup=workgroup)
        if not sectors.filter(tier=defaults.CORE).exists():
            keys, names = set(), set()
            for key, name in sectors.values_list("key", "name"):
                keys.add(key)
                names.add(name.casefold())
            Sector.objects.bulk_create(
                Sector(workgroup=workgroup, key=sector.key, name=sector.name, tier=sector.tier, why=sector.why,
                       order=order)
                for order, sector in enumerate(defaults.SECTORS)
                if sector.key not in keys and sector.name.casefold() not in names
            )
        if not InteropFunction.objects.filter(workgroup=workgroup).exists():
            InteropFunction.objects.bulk_create(
                InteropFunction(workgroup=workgroup, key=function.key, name=function.name,
                                description=function.description, order=order)
                for order, function in enumerate(defaults.FUNCTIONS)
            )


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0003_growth_indexes_and_restrict"),
    ]

    operations = [
        migrations.RunPython(create_missing_defaults, migrations.RunPython.noop),
    ]
