"""Filters for the transfer metrics pages: figures as they read ("—" when there is nothing to count)."""

from __future__ import annotations

from django import template

from triage.models import Direction
from triage.transfers.metrics import MetricResult, format_value

register = template.Library()


@register.filter
def metric_value(metric: MetricResult) -> str:
    return format_value(metric.value, metric.unit)


@register.filter
def count(value: int | None) -> str:
    """A count with thousands separators (4,670), as the headline figures read."""
    return "" if value is None or value == "" else f"{value:,}"


@register.filter
def percent(value: float | None) -> str:
    return format_value(value, "%")


@register.filter
def direction_label(value: str) -> str:
    return dict(Direction.choices).get(value, value)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, "")
