"""Writes for instruments: the default copy, drafts, dimensions, statements, publishing.

Every edit locks the version row and checks it is still a draft, so a version that was
published a moment ago (another tab, another coordinator) is never changed after the fact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from readiness import defaults
from readiness.messages import (
    MSG_DIMENSION_EMPTY,
    MSG_DIMENSION_HAS_ITEMS,
    MSG_DIMENSION_KEY_TAKEN,
    MSG_DRAFT_EXISTS,
    MSG_INSTRUMENT_NAME_TAKEN,
    MSG_NO_DIMENSIONS,
    MSG_PUBLISH_PROBLEMS,
    MSG_REVERSE_UNSCORED,
    MSG_VERSION_NOT_EDITABLE,
)
from readiness.models import (
    SCORED_TYPES,
    Dimension,
    Instrument,
    InstrumentStatus,
    InstrumentVersion,
    Item,
)
from readiness.services.saving import save as _save
from readiness.text import stored_text
from toolkit.permissions import Action, require
from toolkit.slugs import unique_slug

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup


def _lock_draft(version: InstrumentVersion) -> InstrumentVersion:
    locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_editable:
        raise ValidationError(MSG_VERSION_NOT_EDITABLE, code="not_editable")
    return locked


# --- Instruments and versions -------------------------------------------------------------


def instrument_ensure_default(*, workgroup: Workgroup, actor: User | None = None) -> None:
    """Give the workgroup the default instrument, published, once (idempotent; a workgroup setup step)."""
    if Instrument.objects.filter(workgroup=workgroup).exists():
        return
    with transaction.atomic():
        type(workgroup).objects.select_for_update().filter(pk=workgroup.pk).first()
        if Instrument.objects.filter(workgroup=workgroup).exists():
            return
        default_instrument_create(workgroup=workgroup, actor=actor)


def default_instrument_create(*, workgroup: Workgroup, actor: User | None = None) -> Instrument:
    """A published copy of the toolkit's default instrument (callers decide whether one is wanted)."""
    with transaction.atomic():
        instrument = _save(
            Instrument(workgroup=workgroup, name=defaults.INSTRUMENT_NAME, description=defaults.INSTRUMENT_DESCRIPTION),
            actor,
        )
        version = _save(
            InstrumentVersion(workgroup=workgroup, instrument=instrument, number=1, created_by=actor,
                              change_summary="The toolkit's default instrument"),
            actor,
        )
        for d_order, (key, name, description, action, items) in enumerate(defaults.DIMENSIONS):
            dimension = _save(
                Dimension(workgroup=workgroup, version=version, key=key, name=name, description=description,
                          suggested_action=action, order=d_order),
                actor,
            )
            for i_order, (statement, help_text, answer_type, weight, reverse) in enumerate(items):
                _save(
                    Item(workgroup=workgroup, version=version, dimension=dimension, statement=statement,
                         help_text=help_text, answer_type=answer_type, weight=Decimal(weight),
                         reverse_scored=reverse, order=i_order),
                    actor,
                )
        version.status = InstrumentStatus.PUBLISHED
        version.published_at = timezone.now()
        _save(version, actor)
        return instrument


@transaction.atomic
def instrument_create(*, actor: User, workgroup: Workgroup, name: str, description: str = "") -> Instrument:
    """A new, empty instrument with a v1 draft to fill in."""
    require(actor, workgroup, Action.MANAGE_READINESS)
    if Instrument.objects.filter(workgroup=workgroup, name__iexact=name.strip()).exists():
        raise ValidationError({"name": MSG_INSTRUMENT_NAME_TAKEN})
    instrument = _save(Instrument(workgroup=workgroup, name=name.strip(), description=description), actor,
                       typed=("name", "description"))
    _save(InstrumentVersion(workgroup=workgroup, instrument=instrument, number=1, created_by=actor), actor)
    return instrument


@transaction.atomic
def instrument_update(*, actor: User, instrument: Instrument, name: str, description: str) -> Instrument:
    require(actor, instrument.workgroup, Action.MANAGE_READINESS)
    if (
        Instrument.objects.filter(workgroup=instrument.workgroup, name__iexact=name.strip())
        .exclude(pk=instrument.pk)
        .exists()
    ):
        raise ValidationError({"name": MSG_INSTRUMENT_NAME_TAKEN})
    instrument.name = name.strip()
    instrument.description = description
    return _save(instrument, actor, typed=("name", "description"))


@transaction.atomic
def version_new_draft(*, actor: User, from_version: InstrumentVersion, change_summary: str = "") -> InstrumentVersion:
    """Start editing again: a draft copied from a published (or retired) version."""
    require(actor, from_version.workgroup, Action.MANAGE_READINESS)
    instrument = Instrument.objects.select_for_update().get(pk=from_version.instrument_id)
    existing = instrument.versions.filter(status=InstrumentStatus.DRAFT).first()
    if existing is not None:
        raise ValidationError(MSG_DRAFT_EXISTS.format(number=existing.number), code="draft_exists")
    number = (instrument.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = _save(
        InstrumentVersion(workgroup=instrument.workgroup, instrument=instrument, number=number,
                          based_on=from_version, change_summary=change_summary, created_by=actor),
        actor, typed=("change_summary",),
    )
    for dimension in from_version.dimensions.order_by("order", "pk").prefetch_related("items"):
        # stored_text: a version published before the normaliser existed still copies into a valid draft.
        copy = _save(
            Dimension(workgroup=draft.workgroup, version=draft, key=dimension.key, name=stored_text(dimension.name),
                      description=stored_text(dimension.description, multiline=True),
                      suggested_action=stored_text(dimension.suggested_action, multiline=True),
                      weight=dimension.weight, order=dimension.order),
            actor,
        )
        for item in sorted(dimension.items.all(), key=lambda i: (i.order, i.pk)):
            _save(
                Item(workgroup=draft.workgroup, version=draft, dimension=copy, statement=stored_text(item.statement),
                     help_text=stored_text(item.help_text, multiline=True), answer_type=item.answer_type,
                     weight=item.weight, reverse_scored=item.reverse_scored, order=item.order),
                actor,
            )
    return draft


@transaction.atomic
def version_update(*, actor: User, version: InstrumentVersion, change_summary: str) -> InstrumentVersion:
    require(actor, version.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(version)
    version.change_summary = change_summary
    return _save(version, actor, typed=("change_summary",))


def version_problems(version: InstrumentVersion, *, dimensions: list[Dimension] | None = None) -> list[str]:
    """What stops a draft from being published (empty list: ready). ``dimensions``: already fetched, with items."""
    if dimensions is None:
        dimensions = list(version.dimensions.order_by("order", "pk").prefetch_related("items"))
    if not dimensions:
        return [MSG_NO_DIMENSIONS]
    return [
        MSG_DIMENSION_EMPTY.format(name=d.name)
        for d in dimensions
        if not any(item.answer_type in SCORED_TYPES for item in d.items.all())
    ]


@transaction.atomic
def version_publish(*, actor: User, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft; the version published before it retires (its rounds keep citing it)."""
    require(actor, version.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(version)
    problems = version_problems(version)
    if problems:
        raise ValidationError(MSG_PUBLISH_PROBLEMS.format(problems="; ".join(problems) + "."), code="problems")
    for previous in InstrumentVersion.objects.select_for_update().filter(
        instrument_id=version.instrument_id, status=InstrumentStatus.PUBLISHED
    ):
        previous.status = InstrumentStatus.RETIRED
        _save(previous, actor)
    version.status = InstrumentStatus.PUBLISHED
    version.published_at = timezone.now()
    return _save(version, actor)


# --- Dimensions -------------------------------------------------------------------------------


@transaction.atomic
def dimension_save(
    *,
    actor: User,
    version: InstrumentVersion,
    dimension: Dimension | None = None,
    name: str,
    key: str = "",
    description: str = "",
    suggested_action: str = "",
    weight: Decimal = Decimal("1"),
) -> Dimension:
    """Add a dimension to a draft, or change one. The key defaults to a slug of the name."""
    require(actor, version.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(version)
    if dimension is not None and dimension.version_id != version.pk:
        raise ValidationError("That dimension belongs to another version.")
    others = version.dimensions.exclude(pk=dimension.pk) if dimension is not None else version.dimensions.all()
    if key:
        if others.filter(key=key).exists():
            raise ValidationError({"key": MSG_DIMENSION_KEY_TAKEN.format(key=key)})
    else:
        key = dimension.key if dimension is not None else unique_slug(others, name, field="key",
                                                                       fallback="dimension", max_length=36)
    if dimension is None:
        order = (version.dimensions.aggregate(n=Max("order"))["n"] or 0) + 1
        dimension = Dimension(workgroup=version.workgroup, version=version, order=order)
    dimension.key, dimension.name, dimension.description = key, name.strip(), description
    dimension.suggested_action, dimension.weight = suggested_action, weight
    try:
        with transaction.atomic():
            return _save(dimension, actor, typed=("key", "name", "description", "suggested_action"))
    except IntegrityError:
        raise ValidationError({"key": MSG_DIMENSION_KEY_TAKEN.format(key=key)}) from None


@transaction.atomic
def dimension_delete(*, actor: User, dimension: Dimension) -> None:
    require(actor, dimension.workgroup, Action.MANAGE_READINESS)
    _lock_draft(dimension.version)
    if dimension.items.exists():
        raise ValidationError(MSG_DIMENSION_HAS_ITEMS.format(name=dimension.name), code="has_items")
    dimension._history_user = actor
    dimension.delete()


def _swap_order(rows: list, index: int, direction: str, actor: User) -> None:
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(rows):
        return
    rows[index], rows[target] = rows[target], rows[index]
    for order, row in enumerate(rows):
        if row.order != order:
            row.order = order
            _save(row, actor)


@transaction.atomic
def dimension_move(*, actor: User, dimension: Dimension, direction: str) -> None:
    require(actor, dimension.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(dimension.version)
    rows = list(version.dimensions.order_by("order", "pk"))
    _swap_order(rows, [d.pk for d in rows].index(dimension.pk), direction, actor)


# --- Statements (items) -----------------------------------------------------------------------


@transaction.atomic
def item_save(
    *,
    actor: User,
    version: InstrumentVersion,
    item: Item | None = None,
    dimension: Dimension,
    statement: str,
    help_text: str = "",
    answer_type: str,
    weight: Decimal = Decimal("1"),
    reverse_scored: bool = False,
) -> Item:
    require(actor, version.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(version)
    if dimension.version_id != version.pk or (item is not None and item.version_id != version.pk):
        raise ValidationError({"dimension": "Choose a dimension of this version."})
    if reverse_scored and answer_type not in SCORED_TYPES:
        raise ValidationError({"reverse_scored": MSG_REVERSE_UNSCORED})
    if item is None or item.dimension_id != dimension.pk:
        order = (dimension.items.aggregate(n=Max("order"))["n"] or 0) + 1
    else:
        order = item.order
    item = item or Item(workgroup=version.workgroup, version=version)
    item.dimension, item.statement, item.help_text = dimension, statement.strip(), help_text
    item.answer_type, item.weight, item.reverse_scored, item.order = answer_type, weight, reverse_scored, order
    return _save(item, actor, typed=("statement", "help_text"))


@transaction.atomic
def item_delete(*, actor: User, item: Item) -> None:
    require(actor, item.workgroup, Action.MANAGE_READINESS)
    _lock_draft(item.version)
    item._history_user = actor
    item.delete()


@transaction.atomic
def item_move(*, actor: User, item: Item, direction: str) -> None:
    require(actor, item.workgroup, Action.MANAGE_READINESS)
    _lock_draft(item.version)
    rows = list(item.dimension.items.order_by("order", "pk"))
    _swap_order(rows, [i.pk for i in rows].index(item.pk), direction, actor)


@transaction.atomic
def version_discard_draft(*, actor: User, version: InstrumentVersion) -> Instrument | None:
    """Throw a draft away with its dimensions and statements (nothing cites a draft).

    An instrument whose only version is this draft goes with it; returns the instrument if it remains.
    """
    require(actor, version.workgroup, Action.MANAGE_READINESS)
    version = _lock_draft(version)
    instrument = version.instrument
    doomed = instrument if not instrument.versions.exclude(pk=version.pk).exists() else version
    doomed._history_user = actor
    doomed.delete()
    return None if doomed is instrument else instrument
