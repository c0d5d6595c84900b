"""The metrics page's filters and the monthly report's month: forms that only validate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Organization
from toolkit.forms import Form, plausible_date
from triage.models import Direction
from triage.transfers.metrics import add_months, day_start
from triage.transfers.reports import FIRST_YEAR

if TYPE_CHECKING:
    from toolkit.models import Workgroup

MAX_CUSTOM_DAYS = 3 * 366
MSG_CUSTOM_NEEDS_DATES = "A custom period needs both a first and a last day."
MSG_CUSTOM_ORDER = "The first day comes after the last day."
MSG_CUSTOM_TOO_LONG = "A custom period can cover at most three years."


class Period:
    THIS_MONTH, LAST_3, LAST_12, CUSTOM = "month", "3", "12", "custom"
    CHOICES = [(THIS_MONTH, "This month"), (LAST_3, "Last 3 months"), (LAST_12, "Last 12 months"),
               (CUSTOM, "Custom dates")]


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime  # exclusive
    label: str
    organization: Organization | None
    direction: str


class MetricFilterForm(Form):
    period = forms.ChoiceField(choices=Period.CHOICES, required=False, initial=Period.THIS_MONTH)
    start = forms.DateField(label="First day", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[plausible_date])
    end = forms.DateField(label="Last day", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          validators=[plausible_date])
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False,
                                          empty_label="All partners", label="Partner (sending or receiving)")
    direction = forms.ChoiceField(choices=[("", "All directions"), *Direction.choices], required=False)

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(workgroup=workgroup).order_by("name")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def clean(self):
        data = super().clean()
        if data.get("period") == Period.CUSTOM and not {"start", "end"} & set(self.errors):
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise ValidationError(MSG_CUSTOM_NEEDS_DATES)
            if start > end:
                raise ValidationError(MSG_CUSTOM_ORDER)
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise ValidationError(MSG_CUSTOM_TOO_LONG)
        return data

    def filters(self, *, today: date | None = None) -> Filters:
        """What to count: the cleaned choices, or the defaults (this month, everyone) when they do not validate."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("period") or Period.THIS_MONTH
        this_month = today.replace(day=1)
        if period == Period.CUSTOM:
            start, end = data["start"], data["end"]
            label = f"{start:%b} {start.day}, {start.year} to {end:%b} {end.day}, {end.year}"
            bounds = day_start(start), day_start(end + timedelta(days=1))
        else:
            months = {Period.THIS_MONTH: 1, Period.LAST_3: 3, Period.LAST_12: 12}[period]
            first = add_months(this_month, -(months - 1))
            label = f"{this_month:%B %Y}" if months == 1 else f"{first:%B %Y} to {this_month:%B %Y}"
            bounds = day_start(first), day_start(add_months(this_month, 1))
        return Filters(start=bounds[0], end=bounds[1], label=label, organization=data.get("organization"),
                       direction=data.get("direction") or "")


def _month_choices(today: date) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in (add_months(first, -i) for i in range(24)) if m.year >= FIRST_YEAR]


class MonthlyReportForm(Form):
    month = forms.ChoiceField(label="Month")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _month_choices(timezone.localdate())
        self.fields["month"].choices = choices
        self.fields["month"].initial = choices[1][0]  # last month: the one usually shared
        self.fields["month"].widget.attrs["class"] = "form-select"
