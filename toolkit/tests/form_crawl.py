"""Find every form the app renders, as a person would meet it, and what it would post.

The pages of the URL walk's world (``url_world``) are fetched as a person allowed to use them; each
``<form method="post">`` in them is read into a ``FoundForm``: where it posts, and the fields with the
values the page filled in (so posting them unchanged is the page's own, valid-looking submission).
The hostile-input tests (test_forms_hostile) start from these and spoil one field at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

CSRF = "csrfmiddlewaretoken"


@dataclass
class Field:
    name: str
    kind: str  # "text", "textarea", "select", "checkbox", "radio", "file", "number", "date", "hidden", ...
    value: str | list[str] | None = None  # what the page would post (None: nothing, e.g. an unticked box)
    options: list[str] = field(default_factory=list)  # select/radio values offered
    multiple: bool = False
    required: bool = False
    maxlength: int | None = None


@dataclass
class FoundForm:
    page: str  # the page the form was found on
    action: str  # path (and query string, if any) it posts to
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (name, value)

    def data(self) -> dict[str, str | list[str]]:
        """What a browser would post without touching anything (the first named button pressed)."""
        posted: dict[str, str | list[str]] = {}
        for name, fld in self.fields.items():
            if name == CSRF or fld.value is None or fld.kind == "file":
                continue
            posted[name] = fld.value
        if self.buttons:
            name, value = self.buttons[0]
            posted.setdefault(name, value)
        return posted


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[FoundForm] = []
        self._form: FoundForm | None = None
        self._select: Field | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: Field | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                # An empty action posts back to the page, query string included (?template=… in a two-step form).
                parts = urlsplit(urljoin(self.page, a.get("action") or self.page))
                action = f"{parts.path}?{parts.query}" if parts.query else parts.path
                self._form = FoundForm(page=self.page, action=action,
                                       multipart="multipart" in (a.get("enctype") or ""))
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image"}:
                form.buttons.append((name, a.get("value") or ""))
                return
            if kind == "reset":
                return
            checked = "checked" in a
            existing = form.fields.get(name)
            if kind in {"checkbox", "radio"}:
                fld = existing or form.fields.setdefault(name, Field(name=name, kind=kind))
                fld.options.append(a.get("value") or "on")
                if checked:
                    if kind == "checkbox" and fld.value is not None:
                        before = [fld.value] if isinstance(fld.value, str) else fld.value
                        fld.value = [*before, a.get("value") or "on"]
                        fld.multiple = True
                    else:
                        fld.value = a.get("value") or "on"
                return
            form.fields[name] = Field(name=name, kind=kind, value=a.get("value") or "", required="required" in a,
                                      maxlength=int(a["maxlength"]) if (a.get("maxlength") or "").isdigit() else None)
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = form.fields[name] = Field(
                name=name, kind="textarea", value="", required="required" in a,
                maxlength=int(a["maxlength"]) if (a.get("maxlength") or "").isdigit() else None)
        elif tag == "select" and name:
            self._select = form.fields[name] = Field(name=name, kind="select", multiple="multiple" in a,
                                                     required="required" in a)
            self._first_option = None
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option_value is not None or (self._select is not None and self._option_value is None):
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops one newline right after <textarea>.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            self._select.options.append(value)
            if self._first_option is None:
                self._first_option = value
            if self._option_selected:
                if self._select.multiple:
                    current = self._select.value or []
                    self._select.value = [*current, value]
                else:
                    self._select.value = value
            self._option_value = None
        elif tag == "select" and self._select is not None:
            if self._select.value is None and not self._select.multiple and self._select.options:
                self._select.value = self._select.options[0]  # what a browser posts when nothing is selected
            self._select = None


def forms_in(html: str, page: str) -> list[FoundForm]:
    parser = _FormParser(page)
    parser.feed(html)
    parser.close()
    return parser.forms
