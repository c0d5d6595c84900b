"""Template filters for readiness documents."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from toolkit.text import xml_safe

register = template.Library()


@register.filter(is_safe=True)
def printable(value: str) -> str:
    """Wrap a whole rendered document: ``{% filter printable %}…{% endfilter %}``.

    Rows stored before the text normaliser existed may hold control characters (drawn as empty boxes) or
    a lone surrogate (which stops the PDF renderer outright); neither reaches the document. Escaping is
    untouched: only characters no document can hold are dropped.
    """
    return mark_safe(xml_safe(value))  # noqa: S308 (the input is already-rendered, escaped template output)
