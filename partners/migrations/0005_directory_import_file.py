# The directory import keeps its upload as a file under the workgroup's prefix (not in a text column),
# checked and imported by background jobs; ``summary`` holds what the last check found for the preview.
# A pending upload's text moves into a file; imported and discarded ones kept no text.

import django.core.files.base
from django.db import migrations, models

import toolkit.models


def move_content_to_files(apps, schema_editor):
    DirectoryImport = apps.get_model("partners", "DirectoryImport")
    for row in DirectoryImport.objects.exclude(content="").iterator():
        data = row.content.encode("utf-8")
        row.size = len(data)
        row.file.save("directory.csv", django.core.files.base.ContentFile(data), save=False)
        row.save(update_fields=["file", "size"])


def move_files_to_content(apps, schema_editor):
    DirectoryImport = apps.get_model("partners", "DirectoryImport")
    for row in DirectoryImport.objects.exclude(file="").iterator():
        try:
            with row.file.open("rb") as handle:
                row.content = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            continue
        row.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0004_defaults_for_existing_workgroups"),
    ]

    operations = [
        migrations.AddField(
            model_name="directoryimport",
            name="file",
            field=models.FileField(
                blank=True, max_length=300, upload_to=toolkit.models.WorkgroupUploadTo("partner-imports")
            ),
        ),
        migrations.AddField(
            model_name="directoryimport",
            name="size",
            field=models.PositiveBigIntegerField(default=0, verbose_name="size in bytes"),
        ),
        migrations.AddField(
            model_name="directoryimport",
            name="summary",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(move_content_to_files, move_files_to_content),
        migrations.RemoveField(
            model_name="directoryimport",
            name="content",
        ),
        migrations.AddIndex(
            model_name="directoryimport",
            index=models.Index(fields=["workgroup", "-created_at"], name="partners_import_wg_created"),
        ),
        migrations.AddConstraint(
            model_name="directoryimport",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=["pending", "imported", "discarded"]), name="directory_import_status"
            ),
        ),
    ]
