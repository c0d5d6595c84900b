"""Files the database no longer points to: found and removed by ``manage.py cleanup_orphaned_files``.

Rows delete their files after the deletion commits (django-cleanup), and a deleted workgroup's
prefix is emptied; this finds what slips through anyway (a worker killed between writing a
file and recording it, a file written before those rules existed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone


def referenced_files() -> set[str]:
    """Every file name a FileField of any row names."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    name for name in model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.attname, flat=True).iterator(chunk_size=2000) if name
                )
    return names


def stored_files(storage: Storage | None = None, prefix: str = "") -> Iterator[str]:
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    base = f"{prefix.rstrip('/')}/" if prefix else ""
    for name in files:
        yield f"{base}{name}"
    for folder in folders:
        yield from stored_files(storage, f"{base}{folder}")


def orphaned_files(*, older_than: timedelta = timedelta(hours=1), storage: Storage | None = None,
                   now: datetime | None = None) -> list[str]:
    """Stored files no row names, last changed longer ago than ``older_than`` (a job may be writing one now)."""
    storage = storage or default_storage
    now = now or timezone.now()
    referenced = referenced_files()
    orphans = []
    for name in stored_files(storage):
        if name in referenced:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            modified = None
        if modified is None or now - modified >= older_than:
            orphans.append(name)
    return sorted(orphans)
