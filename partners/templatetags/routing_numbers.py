"""Template filters for phone numbers (contacts and transfer lines) and the routing directory."""

from __future__ import annotations

from django import template

from partners.routing import national_format
from partners.validators import phone_display

register = template.Library()


@register.filter
def national(number: str) -> str:
    """A stored "+1 202-555-0143" shown as "(202) 555-0143", the way call-takers in the US dial it."""
    return national_format(number or "")


@register.filter
def phone(number: str) -> str:
    """One format everywhere: "(202) 555-0143" for numbers of this country, "+44 20 7946 0958" for others."""
    return phone_display(number or "")


@register.filter
def tel_uri(number: str) -> str:
    """The number for a tel: link (digits and the leading +)."""
    return "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")


@register.filter
def one_line(value: str) -> str:
    """Counties or cities typed one per line, shown as "Riverbend County; Ash Valley County"."""
    return "; ".join(part.strip() for part in (value or "").splitlines() if part.strip())
