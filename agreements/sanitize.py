"""Rich text in clauses, cleaned with nh3 (Rust's ammonia) on save and again before rendering.

The allow-list is explicit and small: paragraphs, lists, emphasis and line breaks. No attributes,
no links, no images, no styles — an agreement's text needs none of them, and each would be a way
to smuggle script, tracking or remote content into a document a partner opens.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "ol", "ul", "li", "strong", "em", "b", "i"})


def clean_html(text: str) -> str:
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
