"""Phone numbers: parsed and checked with Google's libphonenumber (the phonenumbers package)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "US"  # numbers typed without +country code are read as North American
MSG_PHONE_INVALID = (
    "“{value}” is not a valid phone number. Include the area code, e.g. (202) 555-0143 or +1 202 555 0143."
)


def normalize_phone(value: str) -> str:
    """Return the number in international format ("+1 202-555-0143"), or "" for blank input."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(MSG_PHONE_INVALID.format(value=value), code="invalid_phone") from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationError(MSG_PHONE_INVALID.format(value=value), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_phone(value: str) -> None:
    normalize_phone(value)


def phone_display(value: str) -> str:
    """How a number is shown: national format for this country's numbers ("(202) 555-0143"), international
    for others ("+44 20 7946 0958"); a value that is not a number is shown as written."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    home = phonenumbers.region_code_for_number(number) == DEFAULT_REGION
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


MSG_TRANSFER_NUMBER = (
    "“{value}” cannot be dialled to transfer a call: give the line's full 10-digit number with its area code "
    "(e.g. (202) 555-0143). Short codes such as 911 and 988 only reach the local answering point."
)


def normalize_transfer_number(value: str) -> str:
    """A number a PSAP or 988 center can dial to transfer a call: a valid North American 10-digit number.

    Short codes (911, 988, 211) route by where the caller is, not to a particular center, so a transfer
    line is never one of them. Stored in international format, like contacts' phones.
    """
    value = (value or "").strip()
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(MSG_TRANSFER_NUMBER.format(value=value), code="invalid_transfer_number") from None
    if (number.country_code != 1 or len(str(number.national_number)) != 10
            or not phonenumbers.is_valid_number(number)):
        raise ValidationError(MSG_TRANSFER_NUMBER.format(value=value), code="invalid_transfer_number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_transfer_number(value: str) -> None:
    normalize_transfer_number(value)
