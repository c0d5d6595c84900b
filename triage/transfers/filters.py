"""What the transfer list can be narrowed by (django-filter); a value that does not validate is ignored."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from partners.models import Organization
from toolkit.forms import plausible_date
from toolkit.models import Workgroup
from triage.models import Direction, Transfer, TransferKind, TransferResult
from triage.transfers.selectors import FOLLOW_UP_DONE, FOLLOW_UP_OPEN, FOLLOW_UP_OVERDUE, follow_up_filter

FOLLOW_UP_CHOICES = [(FOLLOW_UP_OVERDUE, "Overdue"), (FOLLOW_UP_OPEN, "Not done yet"), (FOLLOW_UP_DONE, "Done")]


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def partners_in_transfers(workgroup: Workgroup):
    """The organizations that sent or received a transfer: the partner filter's choices. Not every organization
    of the partner map: with 2,000 of them the list alone was 120 KB and most of the page's time.

    Each organization's latest transfer sent and received, read from the sender's and the receiver's
    (organization, initiated_at, id) indexes: two index look-ups an organization (13 ms for 2,000 organizations
    and 1,000,000 transfers). An EXISTS here let PostgreSQL pick a sequential scan per organization, expecting
    every one to have sent its share of the transfers, which is 1,000,000 rows read for each that sent none."""

    def latest(role: str) -> Subquery:
        return Subquery(Transfer.objects.filter(**{role: OuterRef("pk")}).order_by("-initiated_at", "-id")
                        .values("pk")[:1])

    return (Organization.objects.filter(workgroup=workgroup)
            .alias(sent=latest("sending_organization"), received=latest("receiving_organization"))
            .filter(Q(sent__isnull=False) | Q(received__isnull=False))
            .order_by("name"))


class TransferFilter(django_filters.FilterSet):
    # Day boundaries in the site's time zone, compared on the indexed timestamp itself.
    since = django_filters.DateFilter(label="From", method="filter_since", validators=[plausible_date],
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label="To", method="filter_until", validators=[plausible_date],
                                      widget=forms.DateInput(attrs={"type": "date"}))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, empty_label="Any direction")
    result = django_filters.ChoiceFilter(choices=TransferResult.choices, empty_label="Any result")
    organization = django_filters.ModelChoiceFilter(label="Partner (sending or receiving)",
                                                    queryset=Organization.objects.none(), method="filter_organization",
                                                    empty_label="Any partner")
    kind = django_filters.ChoiceFilter(label="Warm or cold", choices=TransferKind.choices, empty_label="Either")
    follow_up = django_filters.ChoiceFilter(label="Follow-up", choices=FOLLOW_UP_CHOICES, method="filter_follow_up",
                                            empty_label="Any")

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = partners_in_transfers(workgroup)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def filter_since(self, queryset, name, value):
        return queryset.filter(initiated_at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(initiated_at__lt=_start_of(value + timedelta(days=1)))

    def filter_organization(self, queryset, name, value):
        return queryset.filter(Q(sending_organization=value) | Q(receiving_organization=value))

    def filter_follow_up(self, queryset, name, value):
        return queryset.filter(follow_up_filter(value))

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.filters)
