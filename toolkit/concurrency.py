"""Two people editing the same record: the second save is refused instead of silently undoing the first.

An edit form carries, hidden, when the record was last saved as the person opened it (``updated_at``, which
every workgroup-owned row has). The service locks the row and compares: if someone saved it in between, the
save is refused with who and when, the person's text stays in the form, and the hidden time moves on to the
saved version, so a second "Save" after reading the message keeps their text on purpose. Agreements have their
own, per-clause version of this (``base_version_number``).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

LOADED_AT = "loaded_at"
MSG_SAVED_MEANWHILE = (
    "{who} saved this {thing} at {when}, after you opened it, so your changes were not saved. They are still in "
    "the form below: open the {thing} in a new tab to see what changed, then save again to keep yours."
)


class StaleSaveFormMixin:
    """Adds the hidden ``loaded_at`` when editing (not creating). Forms with a crispy layout set
    ``helper.render_hidden_fields``; the service takes ``loaded_at`` and calls ``refuse_if_saved_since``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and getattr(instance, "updated_at", None):
            self.fields[LOADED_AT] = forms.DateTimeField(widget=forms.HiddenInput, required=False)
            self.initial[LOADED_AT] = instance.updated_at.isoformat()


def refuse_if_saved_since(instance: models.Model, loaded_at: datetime | None) -> None:
    """Call inside the service's transaction, after locking the row. No ``loaded_at``: nothing to compare."""
    if loaded_at is None or instance.pk is None:
        return
    saved = type(instance)._default_manager.select_for_update().filter(pk=instance.pk).values_list(
        "updated_at", flat=True).first()
    if saved is None or saved == loaded_at:
        return
    last = instance.history.order_by("-history_date").select_related("history_user").first() if hasattr(
        instance, "history") else None
    user = getattr(last, "history_user", None)
    who = (user.get_full_name() or user.email) if user else "Someone else"
    raise ValidationError(
        MSG_SAVED_MEANWHILE.format(who=who, thing=instance._meta.verbose_name,
                                   when=timezone.localtime(saved).strftime("%H:%M on %b %-d")),
        code="saved_meanwhile", params={"saved_at": saved},
    )


def move_to_saved_version(form: forms.BaseForm, exc: ValidationError) -> None:
    """After a refusal, the next save compares against the version that won."""
    if getattr(exc, "code", None) != "saved_meanwhile" or LOADED_AT not in form.fields or not form.is_bound:
        return
    data = form.data.copy()
    data[form.add_prefix(LOADED_AT)] = exc.params["saved_at"].isoformat()
    form.data = data
