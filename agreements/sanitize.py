"""Rich text in clauses, cleaned with nh3 (Rust's ammonia) on save and again before rendering.

The allow-list is explicit and small: paragraphs, sub-headings, lists, emphasis, line breaks, simple
tables and links to http(s) addresses only. No other attributes, no images, no styles — an
agreement's text needs none of them, and each would be a way to smuggle script, tracking or remote
content into a document a partner opens. Links carry ``rel="noopener noreferrer"`` whatever was typed.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "ol", "ul", "li", "strong", "em", "b", "i", "u", "h3", "h4", "a",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https"})


def clean_html(text: str) -> str:
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        # "*": empty, or nh3 keeps ammonia's attributes for every tag (title, lang) beside the ones listed.
        attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",  # a relative link would point into whatever site shows the text
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
