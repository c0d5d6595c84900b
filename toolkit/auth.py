"""Sign-in helpers."""

from __future__ import annotations

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The lockout counts attempts per address as sign-in matches it: case and spaces ignored.

    Without this, "Victim@", "vIctim@"… would each get their own five tries.
    """
    source = credentials if credentials else request.POST
    return (source.get("username") or "").strip().lower()
