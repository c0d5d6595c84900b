"""Forms for editing readiness instruments; they validate and hand cleaned data to readiness.services.

The statement form's dimension choice is limited to the workgroup (WorkgroupScopedFormMixin) and then
to the version being edited, so a tampered POST naming another version's dimension is an invalid choice.
"""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from readiness.messages import MSG_REVERSE_UNSCORED
from readiness.models import SCORED_TYPES, AnswerType, Dimension, InstrumentVersion
from toolkit.forms import Form, WorkgroupScopedFormMixin

MSG_WEIGHT_RANGE = "Use a weight from 0.1 to 10 (1 counts the same as the others)."


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


def _weight_field(help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=Decimal("0.1"), max_value=Decimal("10"), max_digits=4, decimal_places=2, initial=Decimal("1"),
        help_text=help_text,
        error_messages={"min_value": MSG_WEIGHT_RANGE, "max_value": MSG_WEIGHT_RANGE,
                        "invalid": "Enter the weight as a number, e.g. 1 or 1.5."},
    )


class InstrumentForm(Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="What the instrument asks about and who it is for.")

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class VersionForm(Form):
    change_summary = forms.CharField(max_length=300, required=False,
                                     help_text="What changed in this version, in a sentence.")

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)


class DimensionForm(Form):
    name = forms.CharField(max_length=120)
    key = forms.SlugField(
        max_length=40, required=False, label="Short name (key)",
        help_text="A short name that stays the same across versions so rounds can be compared, e.g. "
                  "“data-sharing”. Leave it empty to make one from the name.",
        error_messages={"invalid": "Use only lowercase letters, numbers, hyphens and underscores, e.g. "
                                   "“data-sharing”."},
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="What this dimension covers, for the people answering.")
    suggested_action = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=Dimension._meta.get_field("suggested_action").help_text)
    weight = _weight_field(Dimension._meta.get_field("weight").help_text)

    def __init__(self, *args, submit_label: str = "Save dimension", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class ItemForm(WorkgroupScopedFormMixin, Form):
    dimension = forms.ModelChoiceField(queryset=Dimension.objects.all(), empty_label="Choose a dimension…")
    statement = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="What partners agree or disagree with, or answer, in one sentence.",
                                error_messages={"required": "Write the statement partners will answer."})
    help_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="Shown under the statement: an example or what to consider.")
    answer_type = forms.ChoiceField(choices=AnswerType.choices, initial=AnswerType.AGREEMENT,
                                    help_text="Numbers and free text are recorded but do not count in the scores.")
    weight = _weight_field("How much this statement counts within its dimension (1 = the same as the others).")
    reverse_scored = forms.BooleanField(
        required=False, label="Reverse scored",
        help_text="Agreeing is a bad sign (e.g. “Turnover is likely to set this work back”). "
                  "Only for agreement and yes/partly/no statements.",
    )

    def __init__(self, *args, version: InstrumentVersion, submit_label: str = "Save statement", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["dimension"]
        field.queryset = field.queryset.filter(version_id=version.pk).order_by("order", "pk")
        field.error_messages["invalid_choice"] = "Choose a dimension of this version."
        self.helper = _helper(submit_label)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reverse_scored") and cleaned.get("answer_type") not in (None, *SCORED_TYPES):
            self.add_error("reverse_scored", MSG_REVERSE_UNSCORED)
        return cleaned
