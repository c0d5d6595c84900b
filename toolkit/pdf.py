"""HTML to PDF with WeasyPrint: data in, bytes out, nothing fetched from outside.

PDF templates carry their CSS inline and embed images as data: URIs (diagrams are
server-side SVG). The fetcher refuses every other scheme, so text a user typed can
never make the worker reach the network or read a local file.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML, URLFetcher  # heavy; only workers need it

    html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, base_url="data:,", url_fetcher=fetcher).write_pdf()


def svg_data_uri(svg: str) -> str:
    """A data: URI for <img src> in PDFs, the only scheme ``render_pdf`` lets WeasyPrint load."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
