"""One normaliser for every piece of text that comes in, and one scrubber for text going out.

People paste from Word, PDFs and e-mail. Word's manual line break is a vertical tab (U+000B);
other programs leave form feeds, escape codes or broken UTF-16 (a lone surrogate) behind.
None of these can live in the documents the toolkit produces: XML (DOCX, SVG) forbids most
control characters, and a lone surrogate cannot even be encoded as UTF-8. So:

* **In** (forms, imports, services): ``normalise_text`` turns the line-break-like characters
  into newlines (or spaces in single-line fields) and refuses everything else with a message
  that names the character, so nothing a person typed is silently changed beyond recognition.
* **Out** (DOCX, SVG, PDF, vCard, CSV renderers): ``xml_safe`` drops whatever would still make
  the output invalid, for rows written before the normaliser existed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

MSG_FORBIDDEN_CHARACTER = (
    "This text contains a character that cannot be kept in documents (%(name)s, %(codepoint)s) "
    "at position %(position)s. It usually comes from copying out of another program; delete it "
    "(or retype the text around it) and try again."
)
MSG_BROKEN_CHARACTER = (
    "This text contains a broken character (%(codepoint)s, half of an emoji or symbol) at position %(position)s. "
    "Retype the text around it and try again."
)

# Characters that end a line in some program or other: they become a newline (or a space).
_LINE_BREAKS = {
    "\r\n": "\n",
    "\r": "\n",
    "\x0b": "\n",  # vertical tab: Word's Shift+Enter
    "\x0c": "\n",  # form feed: page breaks from PDFs and old text files
    "\x1c": "\n",  # file, group and record separators: some exports use them between lines
    "\x1d": "\n",
    "\x1e": "\n",
    "\x85": "\n",  # NEXT LINE (C1)
    "\u2028": "\n",  # LINE SEPARATOR
    "\u2029": "\n",  # PARAGRAPH SEPARATOR
}
_LINE_BREAK_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_LINE_BREAKS, key=len, reverse=True)))

# What XML 1.0 (and so DOCX and SVG) cannot hold, plus the C1 controls and non-characters no
# document should: everything here is refused on the way in and dropped on the way out.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _describe(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "a lone surrogate"
    return unicodedata.name(char, "a control character").lower()


def normalise_text(value: str, *, multiline: bool = True) -> str:
    """Return ``value`` with line breaks unified; raise ValidationError for characters documents cannot hold.

    Single-line text (``multiline=False``: names, titles, e-mail subjects) gets spaces instead of newlines.
    Tabs stay in multi-line text and become spaces in single-line text.
    """
    if not value:
        return value
    value = _LINE_BREAK_PATTERN.sub(lambda m: _LINE_BREAKS[m.group(0)], value)
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        char = bad.group(0)
        params = {"codepoint": f"U+{ord(char):04X}", "position": bad.start() + 1, "name": _describe(char)}
        if "\ud800" <= char <= "\udfff":
            raise ValidationError(MSG_BROKEN_CHARACTER, code="broken_character", params=params)
        raise ValidationError(MSG_FORBIDDEN_CHARACTER, code="forbidden_character", params=params)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return value


def normalise_structure(value: Any, *, path: str = "") -> Any:
    """Normalise every string inside parsed JSON (dicts, lists, keys too); errors name where the text was."""
    if isinstance(value, str):
        try:
            return normalise_text(value)
        except ValidationError as exc:
            where = xml_safe(path) or "the file"  # a key can hold the very character being refused
            raise ValidationError(f"{where}: {' '.join(exc.messages)}", code=exc.code) from None
    if isinstance(value, dict):
        return {
            normalise_structure(key, path=f"{path}.{key}" if path else str(key)):
            normalise_structure(item, path=f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalise_structure(item, path=f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def normalise_cells(cells: Iterable[str]) -> list[str]:
    """For imports: normalise every cell of a row (the caller attaches the row number to errors)."""
    return [normalise_text(cell) for cell in cells]


def xml_safe(value: Any) -> str:
    """Text that any XML-based renderer accepts: line breaks unified, the unrepresentable dropped."""
    if value is None:
        return ""
    text = str(value)
    text = _LINE_BREAK_PATTERN.sub(lambda m: _LINE_BREAKS[m.group(0)], text)
    return _NOT_XML.sub("", text)


# --- Spreadsheet cells ---------------------------------------------------------------------------

# Cells a spreadsheet would run as a formula get a leading apostrophe on export (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_escape(value: str) -> bool:
    # A value that already starts with the escape apostrophe is escaped again, so the round trip is exact.
    return value[:1] in FORMULA_TRIGGERS or (value[:1] == "'" and _needs_escape(value[1:]))


def escape_cell(value: str) -> str:
    """For every CSV the app writes: a cell a spreadsheet would run as a formula starts with an apostrophe."""
    return "'" + value if _needs_escape(value) else value


def unescape_cell(value: str) -> str:
    """For imports: the value ``escape_cell`` wrote, read back exactly."""
    return value[1:] if value[:1] == "'" and _needs_escape(value[1:]) else value
