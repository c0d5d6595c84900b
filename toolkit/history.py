"""Saving a workgroup row so that the audit trail names who changed it."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model

if TYPE_CHECKING:
    from toolkit.models import User

M = TypeVar("M", bound=Model)


def save_validated(obj: M, actor: User | None) -> M:
    """full_clean(), then save with django-simple-history's user set (works outside requests too)."""
    obj.full_clean()
    obj._history_user = actor
    obj.save()
    return obj
