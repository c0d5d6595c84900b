"""Building and writing very many new rows at once, for imports of a year of records (100,000 transfers).

Two costs dominate such an import besides the database's own work, and both are Django's per-field
generality, paid once per field per row:

* ``Model(**values)`` looks each of ~30 fields up among the keyword arguments and sets related objects
  through their descriptors. ``instance_maker`` builds a new instance from its field values directly.
* ``bulk_create`` renders ``INSERT … VALUES`` 2,000 rows at a time, preparing every value through its
  field. ``copy_create`` streams the rows to PostgreSQL's ``COPY … FROM STDIN`` in its text format, after
  drawing their ids from the table's own sequence in one query (callers, the audit trail among them, know
  every new row's id as after ``bulk_create``).

Both handle the plain field types the importing models use (text, numbers, booleans, dates and times, JSON,
foreign key ids) and, like ``bulk_create``, skip ``save()`` and signals. Elsewhere than PostgreSQL (SQLite,
``make run``) ``copy_create`` is ``bulk_create``.
"""

from __future__ import annotations

import functools
import io
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init
from django.utils import timezone

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BATCH_SIZE = 2000  # for bulk_create: ~30 columns a row stays under SQLite's and PostgreSQL's parameter limits


def instance_maker(model: type[models.Model]) -> Callable[..., models.Model]:
    """``make(field_attname=value, …)``: a new, unsaved instance, every other field at its default.

    Values by attname (``sending_organization_id``), never related instances. The instance is what
    ``Model(...)`` would build, without the per-field look-ups; a model with ``post_init`` receivers (image
    dimensions, say) gets the ordinary constructor.
    """

    @functools.cache
    def plan() -> tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]], frozenset[str]]:  # models ready now
        static, dynamic = {}, []
        for field in model._meta.concrete_fields:
            if field.has_default() and callable(field.default):
                dynamic.append((field.attname, field.default))  # timezone.now, list: a new value each time
            else:
                static[field.attname] = field.get_default()
        return static, dynamic, frozenset(static) | {name for name, _ in dynamic}

    def make(**values: Any) -> models.Model:
        static, dynamic, known = plan()
        unknown = values.keys() - known
        if unknown:
            raise TypeError(f"{model._meta.label} has no field {', '.join(sorted(unknown))}.")
        state = {**static, **{name: default() for name, default in dynamic if name not in values}, **values}
        if post_init.has_listeners(model):
            return model(**state)
        instance = model.__new__(model)
        instance._state = ModelState()
        instance.__dict__.update(state)
        return instance

    return make


def copy_create(objects: Sequence[models.Model]) -> None:
    """Insert these new instances of one model and set their ids (in one transaction with the caller's)."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    if not isinstance(meta.pk, models.AutoField):
        raise TypeError(f"{meta.label} has no sequence to draw ids from; use bulk_create.")
    fields = [field for field in meta.concrete_fields if not field.generated]
    now = timezone.now()
    for field in fields:  # what pre_save would do on insert: one time for the whole batch
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objects)])
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
        buffer = io.StringIO("".join(_copy_lines(objects, fields)))
        columns = ", ".join(quote(field.column) for field in fields)
        with connection.wrap_database_errors:  # an IntegrityError is Django's, as from bulk_create
            cursor.cursor.copy_expert(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN", buffer)


def _copy_lines(objects: Sequence[models.Model], fields: list[models.Field]) -> list[str]:
    """COPY's text format: a line per row, tab between values, ``\\N`` for NULL; backslashes, tabs and line
    breaks inside values escaped. JSON is written as JSON text."""
    values_of = operator.attrgetter(*(field.attname for field in fields))
    json_columns = [(i, field.encoder or DjangoJSONEncoder) for i, field in enumerate(fields)
                    if isinstance(field, models.JSONField)]
    lines = []
    for obj in objects:
        values = list(values_of(obj)) if len(fields) > 1 else [values_of(obj)]
        for i, encoder in json_columns:
            if values[i] is not None:
                values[i] = json.dumps(values[i], cls=encoder)
        lines.append("\t".join(["\\N" if value is None else str(value).translate(_ESCAPES) for value in values])
                     + "\n")
    return lines
