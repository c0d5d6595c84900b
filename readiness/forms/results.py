"""Forms of the results screens: accepting a proposed gap, choosing rounds to compare. They only validate."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from partners.models import Organization
from partners.selectors import organization_list
from readiness.models import ActionItem, AssessmentRound
from toolkit.forms import Form, WorkgroupScopedFormMixin

MSG_COMPARE_TWO = "Choose at least two rounds to compare."


def owner_choices(*, workgroup) -> QuerySet[Organization]:
    """The workgroup's organizations for an owner drop-down (names only; no contacts needed)."""
    return organization_list(workgroup=workgroup).prefetch_related(None).order_by("name")


class GapAcceptForm(WorkgroupScopedFormMixin, Form):
    source_key = forms.CharField(max_length=60, widget=forms.HiddenInput)
    title = forms.CharField(max_length=ActionItem._meta.get_field("title").max_length)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner_organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label="Owner organization",
        empty_label="No owner yet",
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["owner_organization"].queryset = owner_choices(workgroup=workgroup)

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class RoundCompareForm(Form):
    """``?round=<pk>&round=<pk>``: ids not among ``rounds`` are dropped, not reported — other workgroups'
    rounds, and for non-coordinators this workgroup's open rounds (their results are not shared yet)."""

    round = forms.ModelMultipleChoiceField(
        queryset=AssessmentRound.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Rounds to compare",
    )

    def __init__(self, data=None, *, rounds: QuerySet[AssessmentRound], **kwargs):
        if data is not None:
            known = {str(pk) for pk in rounds.values_list("pk", flat=True)}
            data = data.copy()
            data.setlist("round", [value for value in data.getlist("round") if value in known])
        super().__init__(data, **kwargs)
        self.fields["round"].queryset = rounds

    def clean_round(self) -> list[AssessmentRound]:
        chosen = list(self.cleaned_data["round"])
        if len(chosen) < 2:
            raise forms.ValidationError(MSG_COMPARE_TWO, code="too_few")
        return chosen
