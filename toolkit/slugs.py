"""Readable unique identifiers for URLs and keys."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import slugify


def unique_slug(
    queryset: QuerySet, name: str, *, field: str = "slug", fallback: str = "item", max_length: int = 50
) -> str:
    """``slugify(name)``, with ``-2``, ``-3``… appended until no row of ``queryset`` uses it."""
    base = slugify(name)[:max_length] or fallback
    candidate, n = base, 2
    while queryset.filter(**{field: candidate}).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate
