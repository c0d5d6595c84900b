"""List filters for the partner map (django-filter): the directory, and the RACI matrix's columns.

A value that does not validate (another workgroup's sector, a word with a control character) is
left out of the filtering and the page says so, rather than failing the page.
"""

from __future__ import annotations

import django_filters
from django import forms

from partners.models import EngagementStatus, Organization, Quadrant, Sector
from partners.selectors import organization_search
from toolkit.forms import Form
from toolkit.models import Workgroup


def _sectors(workgroup: Workgroup):
    return Sector.objects.filter(workgroup=workgroup).order_by("order", "name")


class _FilterForm(Form):
    """The toolkit's form base: search words go through the text normaliser like every other input."""


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control",
                                      "placeholder": "Organization, jurisdiction or contact"}),
    )
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.none(), empty_label="All sectors",
                                              widget=forms.Select(attrs={"class": "form-select"}))
    status = django_filters.ChoiceFilter(field_name="engagement_status", label="Status",
                                         choices=EngagementStatus.choices, empty_label="All statuses",
                                         widget=forms.Select(attrs={"class": "form-select"}))
    # Needs the ``quadrant_key`` annotation (partners.selectors.directory_organizations has it).
    quadrant = django_filters.ChoiceFilter(
        field_name="quadrant_key", label="Quadrant", choices=Quadrant.choices, empty_label="All quadrants",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Organization
        fields: list[str] = []
        form = _FilterForm

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sector"].queryset = _sectors(workgroup)

    def filter_search(self, queryset, name, value):
        return organization_search(queryset, value)

    @property
    def is_filtered(self) -> bool:
        return any(self.form.cleaned_data.get(name) for name in self.filters) if self.is_bound else False


class RaciColumnFilter(django_filters.FilterSet):
    """Which organizations the matrix shows as columns: all that are not inactive, or one sector's."""

    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.none(), empty_label="All sectors",
                                              widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    name = django_filters.CharFilter(
        label="Name contains", lookup_expr="icontains", max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control form-control-sm"}),
    )

    class Meta:
        model = Organization
        fields: list[str] = []
        form = _FilterForm

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sector"].queryset = _sectors(workgroup)
