"""Typed template variables: what a drafter may type for each type, and how it reads in the agreement.

Values are stored as normalised strings on the agreement version (so an export of a version is
reproducible) and formatted only when rendering.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from toolkit.text import normalise_text

TEXT, DATE, NUMBER, MONEY, PARTY_LIST, CHOICE, BOOL = "text", "date", "number", "money", "party_list", "choice", "bool"
TYPES = (TEXT, DATE, NUMBER, MONEY, PARTY_LIST, CHOICE, BOOL)
MAX_TEXT = 500
MAX_AMOUNT = Decimal("1000000000000")
_YES, _NO = {"yes", "true", "1", "on"}, {"no", "false", "0", "off", ""}


def clean_value(kind: str, raw: str, *, choices: tuple[str, ...] = (), label: str = "This value") -> str:
    """Validate what was typed for a variable of this type; return its stored (normalised) form.

    Text goes through the one normaliser first: a party list keeps its lines, every other value is one line.
    """
    try:
        value = normalise_text(raw or "", multiline=kind == PARTY_LIST).strip()
    except ValidationError as exc:
        raise ValidationError(f"{label}: {' '.join(exc.messages)}", code=exc.code) from None
    if not value and kind not in (BOOL, CHOICE):
        return ""  # a draft may leave a value to be agreed; it prints as a blank to fill in
    if kind == TEXT:
        if len(value) > MAX_TEXT:
            raise ValidationError(f"{label} is longer than {MAX_TEXT} characters.")
        return value
    if kind == DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(f"{label}: “{value}” is not a date (YYYY-MM-DD).") from None
    if kind in (NUMBER, MONEY):
        try:
            number = Decimal(value.replace(",", "").removeprefix("$"))
        except InvalidOperation:
            raise ValidationError(f"{label}: “{value}” is not a number.") from None
        if not number.is_finite() or abs(number) >= MAX_AMOUNT:
            raise ValidationError(f"{label}: “{value}” is out of range.")
        if kind == MONEY:
            if number < 0:
                raise ValidationError(f"{label} cannot be negative.")
            return str(number.quantize(Decimal("0.01")))
        return str(int(number)) if number == number.to_integral() else str(number.normalize())
    if kind == CHOICE:
        if value not in choices:
            raise ValidationError(f"{label}: choose one of {', '.join(choices)}.")
        return value
    if kind == BOOL:
        if value.lower() not in _YES | _NO:
            raise ValidationError(f"{label}: answer yes or no.")
        return "yes" if value.lower() in _YES else "no"
    if kind == PARTY_LIST:
        names = [line.strip() for line in value.splitlines() if line.strip()]
        if any(len(name) > 200 for name in names):
            raise ValidationError(f"{label}: a party name is longer than 200 characters.")
        return "\n".join(names)
    raise ValueError(f"Unknown variable type {kind!r}.")


BLANK = "__________"


def display_value(kind: str, stored: str) -> str:
    """How a stored value reads in the agreement text (still to be HTML-escaped by the renderer)."""
    if not stored and kind not in (BOOL, CHOICE):
        return BLANK
    if kind == DATE and stored:
        return date_format(date.fromisoformat(stored), "F j, Y")
    if kind == MONEY and stored:
        return f"${Decimal(stored):,.2f}"
    if kind == NUMBER and stored:
        number = Decimal(stored)
        return f"{number:,}" if number == number.to_integral() else str(number)
    if kind == PARTY_LIST:
        return join_names(stored.splitlines())
    return stored


def join_names(names: list[str]) -> str:
    names = [name for name in names if name]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
