"""Text nobody typed just now: copied from stored rows into new ones, or into a form to edit.

Rows written before the text normaliser existed may hold characters it now refuses (control characters,
Word's vertical tab). Copying such a name into a new row (a respondent's organization, a new draft's
statements) or offering it in an edit form must not make the copy or the save fail for a reason the
person cannot see: what no document can hold is dropped here (``toolkit.text.xml_safe``).
"""

from __future__ import annotations

import re
from typing import Any

from toolkit.text import xml_safe

_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")  # refused by the normaliser, allowed by XML


def stored_text(value: Any, *, multiline: bool = False) -> str:
    text = _NONCHARACTERS.sub("", xml_safe(value))
    return text if multiline else text.replace("\n", " ").replace("\t", " ")


def stored_initial(values: dict[str, Any]) -> dict[str, Any]:
    """Initial values for an edit form, cleaned the same way (the form normalises line breaks itself)."""
    return {key: stored_text(value, multiline=True) if isinstance(value, str) else value
            for key, value in values.items()}
