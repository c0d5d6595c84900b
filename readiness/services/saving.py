"""Saving readiness rows: validated, with the audit trail's actor, and without tripping over older text.

``full_clean()`` passes every text field through the core's normaliser, which refuses characters that
rows written before it existed may still hold. Re-saving such a row for an unrelated reason (closing a
round, moving a statement, a respondent saving answers) must not fail on a field nobody touched, so the
text fields the caller did *not* just take from a person (``typed``) are scrubbed first
(``readiness.text.stored_text``); what a person typed is still refused with the normaliser's message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db import models

from readiness.text import stored_text
from toolkit.history import save_validated

if TYPE_CHECKING:
    from toolkit.models import User

M = TypeVar("M", bound=models.Model)


def save(obj: M, actor: User | None, *, typed: Iterable[str] = ()) -> M:
    typed = set(typed)
    for field in obj._meta.concrete_fields:
        if field.name in typed or field.choices or not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, str) and value:
            setattr(obj, field.attname, stored_text(value, multiline=isinstance(field, models.TextField)))
    return save_validated(obj, actor)
