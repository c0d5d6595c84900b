"""Long lists, two ways, one template (``templates/_pagination.html``).

* ``paginate``: numbered pages for lists people browse and jump around in (the directory,
  agreements, the action plan). Page links are elided (1 … 4 5 6 … 400), never one per page.
* ``keyset_page``: "newer / older" pages for lists that grow without end (the audit trail now;
  incidents and transfers next). Each page is one indexed range query however deep it is:
  no ``OFFSET``, no ``COUNT(*)`` over a million rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 25


def paginate(request: HttpRequest, items: QuerySet | list, *, per_page: int = DEFAULT_PAGE_SIZE) -> Page:
    """The page ``?page=`` asks for (a bad or out-of-range number shows the nearest real page)."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


# --- Keyset pagination ------------------------------------------------------------------


def _encode(values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return {"t": value.isoformat()}
        if isinstance(value, Decimal):
            return {"d": str(value)}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, kinds: list[type]) -> list[Any] | None:
    """None for anything malformed: a hand-edited link shows the first page, never an error."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            return None
        decoded = []
        for value, kind in zip(values, kinds, strict=True):
            if isinstance(value, dict) and "t" in value:
                decoded.append(datetime.fromisoformat(value["t"]))
            elif isinstance(value, dict) and "d" in value:
                decoded.append(Decimal(value["d"]))
            elif (kind is int and isinstance(value, int) and not isinstance(value, bool)) or (
                kind is str and isinstance(value, str)
            ):
                decoded.append(value)
            else:
                return None
        return decoded
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


@dataclass
class KeysetPage:
    items: list[Any]
    older: str | None = None  # cursor for the next page in the list's order
    newer: str | None = None  # cursor for the page before it
    is_first: bool = True
    size: int = DEFAULT_PAGE_SIZE
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer or not self.is_first)


def _past(keys: tuple[str, ...], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (``-field`` is descending); before when not forward."""
    # The OR-expansion alone makes PostgreSQL scan from the start of the index; a non-strict bound on the
    # first key lets it start right at the cursor (the classic keyset trick, for databases without row values).
    first = keys[0].lstrip("-")
    first_descending = keys[0].startswith("-") == forward
    bound = Q(**{f"{first}__lte" if first_descending else f"{first}__gte": values[0]})
    condition = Q()
    for index, key in enumerate(keys):
        name = key.lstrip("-")
        descending = key.startswith("-") == forward
        step = Q(**{f"{name}__lt" if descending else f"{name}__gt": values[index]})
        for earlier_key, earlier_value in zip(keys[:index], values[:index], strict=True):
            step &= Q(**{earlier_key.lstrip("-"): earlier_value})
        condition |= step
    return bound & condition


def keyset_page(
    queryset: QuerySet, *, keys: tuple[str, ...] = ("-occurred_at", "-id"), after: str | None = None,
    before: str | None = None, size: int = DEFAULT_PAGE_SIZE,
) -> KeysetPage:
    """One page of ``queryset`` in the order ``keys`` (the last key must be unique, e.g. ``-id``).

    ``after``: the page following that cursor (older); ``before``: the page preceding it (newer).
    Costs one query of ``size + 1`` rows, using an index on ``keys``.
    """
    model = queryset.model
    kinds = []
    for key in keys:
        internal = model._meta.get_field(key.lstrip("-")).get_internal_type()
        kinds.append(int if internal in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField",
                                         "PositiveIntegerField", "PositiveSmallIntegerField"} else str)
    reverse_keys = tuple(k[1:] if k.startswith("-") else f"-{k}" for k in keys)

    def cursor_of(obj: Any) -> str:
        return _encode([getattr(obj, k.lstrip("-")) for k in keys])

    before_values = _decode(before, kinds) if before else None
    after_values = _decode(after, kinds) if after and before_values is None else None
    if before_values is not None:
        rows = list(queryset.filter(_past(keys, before_values, forward=False)).order_by(*reverse_keys)[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        if not rows:  # nothing newer any more: show the first page
            return keyset_page(queryset, keys=keys, size=size)
        return KeysetPage(items=rows, older=cursor_of(rows[-1]), newer=cursor_of(rows[0]) if has_newer else None,
                          is_first=not has_newer, size=size)
    ordered = queryset.order_by(*keys)
    if after_values is not None:
        ordered = ordered.filter(_past(keys, after_values, forward=True))
    rows = list(ordered[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    is_first = after_values is None
    return KeysetPage(
        items=rows,
        older=cursor_of(rows[-1]) if has_older and rows else None,
        newer=cursor_of(rows[0]) if rows and not is_first else None,
        is_first=is_first,
        size=size,
    )
