"""Template helpers for the review partials: ask the agreements selectors, never the tables."""

from __future__ import annotations

from django import template

from agreements.models import AgreementVersion
from agreements.selectors import open_comments_by_clause

register = template.Library()


@register.simple_tag
def open_comment_count(version: AgreementVersion | None) -> int:
    """{% open_comment_count version as open_count %}: unresolved review comments on that version."""
    if version is None:
        return 0
    return sum(open_comments_by_clause(version=version).values())
