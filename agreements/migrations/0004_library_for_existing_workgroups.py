# Workgroups created before the clause library was made with the workgroup got it from the first
# agreements page someone opened; those pages no longer write. This gives every existing workgroup
# that still has no template its copy of the default clauses and templates, once.

from django.db import migrations

from agreements import defaults  # plain data only: no models, no services


def create_missing_library(apps, schema_editor):
    Workgroup = apps.get_model("toolkit", "Workgroup")
    Clause = apps.get_model("agreements", "Clause")
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    TemplateClause = apps.get_model("agreements", "TemplateClause")
    TemplateVariable = apps.get_model("agreements", "TemplateVariable")
    with_templates = AgreementTemplate.objects.values("workgroup_id")
    for workgroup in Workgroup.objects.exclude(pk__in=with_templates).only("pk").iterator():
        existing = {clause.key: clause for clause in Clause.objects.filter(workgroup=workgroup)}
        Clause.objects.bulk_create(
            Clause(workgroup=workgroup, key=spec.key, title=spec.title, category=spec.category, body=spec.body,
                   guidance=spec.guidance, condition=spec.condition)
            for spec in defaults.CLAUSES
            if spec.key not in existing
        )
        clauses = {clause.key: clause for clause in Clause.objects.filter(workgroup=workgroup)}
        for spec in defaults.TEMPLATES:
            template = AgreementTemplate.objects.create(
                workgroup=workgroup, key=spec.key, name=spec.name, kind=spec.kind, description=spec.description
            )
            TemplateClause.objects.bulk_create(
                TemplateClause(template=template, clause=clauses[key], order=order)
                for order, key in enumerate(spec.clauses)
            )
            TemplateVariable.objects.bulk_create(
                TemplateVariable(template=template, name=v.name, label=v.label, type=v.type, default=v.default,
                                 help=v.help, choices=list(v.choices), order=order)
                for order, v in enumerate(spec.variables)
            )


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0003_growth_indexes_and_restrict"),
    ]

    operations = [
        migrations.RunPython(create_missing_library, migrations.RunPython.noop),
    ]
