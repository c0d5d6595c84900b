"""Forms of post-response data sharing: the workgroup's data-sharing settings, and the quarterly review report.

They only validate the shape of what was sent; the rules (a limited data set needs a data use agreement in
effect) are the services' (``incidents.exports.incident_settings_update``), whose messages land next to the field.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from agreements.selectors import data_sharing_agreements
from incidents.exports import ExportLevel
from incidents.models import IncidentSettings
from incidents.sharing import JOINT_REVIEW_FIELDS
from toolkit.forms import Form
from toolkit.models import Workgroup

EXPORT_LEVEL_HELP = {
    ExportLevel.NONE: "Nothing leaves the workgroup. Trends stay visible inside it.",
    ExportLevel.DEIDENTIFIED: "Coded fields and years only, small counts suppressed (HIPAA Safe Harbor style).",
    ExportLevel.LIMITED: "Adds a file with dates to the day, only under a data use agreement named below.",
}
REPORT_YEARS = 10


class DataSharingForm(Form):
    export_level = forms.ChoiceField(
        label="What may be exported", choices=ExportLevel.choices, widget=forms.RadioSelect,
        help_text="Confidential and quality-improvement privileged incidents are never exported.")
    data_use_agreement = forms.ModelChoiceField(
        label="Data use agreement", queryset=None, required=False, empty_label="None recorded",
        help_text="A data sharing agreement of this workgroup, approved or executed. It is named in every row and in "
                  "the file name of a limited data set.")
    joint_review_fields = forms.MultipleChoiceField(
        label="Joint reviewers from partner agencies also see", choices=JOINT_REVIEW_FIELDS, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They always see the coded fields (class, category, times, organizations, harm, status). "
                  "The reporter's identity is never shown to them.")

    def __init__(self, *args, workgroup: Workgroup, settings: IncidentSettings | None = None, **kwargs):
        if settings is not None and "initial" not in kwargs:
            kwargs["initial"] = {"export_level": settings.export_level,
                                 "data_use_agreement": settings.data_use_agreement_id,
                                 "joint_review_fields": list(settings.joint_review_fields)}
        super().__init__(*args, **kwargs)
        self.fields["data_use_agreement"].queryset = data_sharing_agreements(workgroup=workgroup)
        self.fields["export_level"].choices = [
            (value, f"{label} — {EXPORT_LEVEL_HELP[value]}") for value, label in ExportLevel.choices]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": "", "data-testid": "data-sharing-form"}
        self.helper.add_input(Submit("submit", "Save data-sharing settings"))


def last_complete_quarter(today=None) -> tuple[int, int]:
    today = today or timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


QUARTERS = [(1, "Q1 (January–March)"), (2, "Q2 (April–June)"), (3, "Q3 (July–September)"),
            (4, "Q4 (October–December)")]


class QuarterlyReportForm(Form):
    year = forms.TypedChoiceField(coerce=int, choices=())
    quarter = forms.TypedChoiceField(coerce=int, choices=QUARTERS)

    def __init__(self, *args, **kwargs):
        year, quarter = last_complete_quarter()
        kwargs.setdefault("initial", {"year": year, "quarter": quarter})
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, this_year - REPORT_YEARS, -1)]

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        today = timezone.localdate()
        if year and quarter and (year, quarter) > (today.year, (today.month - 1) // 3 + 1):
            self.add_error("quarter", "That quarter has not started yet; choose one up to the current quarter.")
        return cleaned
