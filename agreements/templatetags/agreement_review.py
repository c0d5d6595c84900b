"""Template helpers for the review partials: ask the agreements selectors, never the tables."""

from __future__ import annotations

from django import template

from agreements.models import AgreementVersion
from agreements.selectors import open_comments_by_clause

register = template.Library()


@register.simple_tag
def open_comment_count(version: AgreementVersion | None, known: int | str | None = None) -> int:
    """{% open_comment_count version known=open_comment_total as open_count %}: unresolved comments on that version.

    ``known``: the page already counted them (the agreement page does); no second query then.
    """
    if isinstance(known, int):
        return known
    if version is None:
        return 0
    return sum(open_comments_by_clause(version=version).values())
