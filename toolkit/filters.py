"""List filters (django-filter): what a person can narrow a long list by, validated like any form.

A filter value that does not validate is ignored (and the page says so) rather than failing the page.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from toolkit import audit
from toolkit.forms import plausible_date
from toolkit.models import AuditAction, Workgroup


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(label="What", empty_label="Anything")
    action = django_filters.ChoiceFilter(label="Change", choices=AuditAction.choices, empty_label="Any change")
    actor = django_filters.ModelChoiceFilter(label="Who", queryset=get_user_model().objects.none(),
                                             empty_label="Anyone")
    # Day boundaries in the site's time zone, compared on the indexed timestamp itself.
    since = django_filters.DateFilter(label="From", method="filter_since", validators=[plausible_date],
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label="To", method="filter_until", validators=[plausible_date],
                                      widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["object_type"].extra["choices"] = audit.object_types()
        self.filters["actor"].queryset = (
            get_user_model().objects.filter(memberships__workgroup=workgroup).order_by("first_name", "email")
        )

    def filter_since(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of(value + timedelta(days=1)))

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.filters)
