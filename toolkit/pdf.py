"""HTML to PDF with WeasyPrint: data in, bytes out, nothing fetched from outside.

PDF templates carry their CSS inline and embed images as data: URIs (diagrams are
server-side SVG). The fetcher refuses every other scheme, so text a user typed can
never make the worker reach the network or read a local file.
"""

from __future__ import annotations

import base64
from typing import BinaryIO

from django.template.loader import render_to_string
from lxml import etree


class ChartError(ValueError):
    """A chart could not be drawn; the job that wanted it fails instead of shipping a PDF without it."""


# Every PDF the app makes is tagged (structure tree: headings, tables, figures with their alternative text)
# and declares the PDF/UA-1 profile; templates give <html lang>, a <title> and alt text for every image.
ACCESSIBLE = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


def render_pdf(template_name: str, context: dict, *, target: BinaryIO | None = None) -> bytes | None:
    """Render a template to a tagged PDF: into ``target`` (a file object, for jobs) or, without one, as bytes."""
    document = render_pdf_document(template_name, context)
    if target is not None:
        document.write_pdf(target=target, **ACCESSIBLE)
        return None
    return document.write_pdf(**ACCESSIBLE)


def render_pdf_document(template_name: str, context: dict):
    """Render a template and lay it out; the caller reads ``pages`` and calls ``write_pdf(target=…, **ACCESSIBLE)``."""
    from weasyprint import HTML, URLFetcher  # heavy; only workers need it

    html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, base_url="data:,", url_fetcher=fetcher).render()


def svg_data_uri(svg: str) -> str:
    """A data: URI for <img src> in PDFs, the only scheme ``render_pdf`` lets WeasyPrint load.

    WeasyPrint quietly leaves out an image it cannot parse, so the drawing is checked here first:
    a chart that is not well-formed SVG raises ``ChartError`` and fails the job that asked for it.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser=parser)
    except (etree.XMLSyntaxError, UnicodeEncodeError) as exc:
        raise ChartError(f"A chart could not be drawn ({exc}).") from exc
    if not str(root.tag).endswith("svg"):
        raise ChartError("A chart could not be drawn (not an SVG drawing).")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
