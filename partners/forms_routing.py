"""Forms for the routing directory: they validate and hand cleaned data to partners.routing."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import LinePurpose, LineTestResult, RoutingProfile, TransferLine
from partners.routing import normalize_zip_codes
from partners.validators import normalize_transfer_number
from toolkit.forms import Form, ModelForm


class RoutingProfileForm(ModelForm):
    class Meta:
        model = RoutingProfile
        fields = [
            "answers_24_7", "hours", "counties", "cities", "zip_codes", "tribal_lands",
            "mobile_response_urban_minutes", "mobile_response_rural_minutes", "notes",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("counties", "cities", "tribal_lands")}
        widgets |= {"zip_codes": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mobile_response_urban_minutes", "mobile_response_rural_minutes"):
            self.fields[name].widget.attrs.update(min=1, max=1440)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Hours of operation", "answers_24_7", "hours"),
            Fieldset("Coverage area", Row(Column("counties"), Column("cities")),
                     Row(Column("zip_codes"), Column("tribal_lands"))),
            Fieldset("Mobile crisis response targets",
                     Row(Column("mobile_response_urban_minutes"), Column("mobile_response_rural_minutes"))),
            Fieldset("Notes", "notes"),
        )
        self.helper.add_input(Submit("submit", "Save hours and coverage"))

    def clean_zip_codes(self) -> str:
        try:
            return normalize_zip_codes(self.cleaned_data["zip_codes"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["zip_codes"]) from None


class TransferLineForm(ModelForm):
    class Meta:
        model = TransferLine
        fields = ["name", "purpose", "number", "hours", "is_active", "test_interval_days", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"is_active": "Lines no longer in use stay listed but are never due for a test."}

    def __init__(self, *args, submit_label: str = "Save line", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", "Choose what the line is for…"), *LinePurpose.choices]
        self.fields["number"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["test_interval_days"].widget.attrs.update(min=1, max=366)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name"), Column("purpose")),
            Row(Column("number"), Column("hours")),
            Row(Column("test_interval_days"), Column("is_active", css_class="pt-md-4")),
            "notes",
        )
        self.helper.add_input(Submit("submit", submit_label))

    def clean_number(self) -> str:
        return normalize_transfer_number(self.cleaned_data["number"])


class LineTestForm(Form):
    tested_on = forms.DateField(label="Tested on", widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(choices=LineTestResult.choices, widget=forms.RadioSelect, label="Result")
    note = forms.CharField(max_length=300, required=False, label="Note",
                           help_text="Who answered, or what went wrong (no caller details).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tested_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout("tested_on", InlineRadios("result"), "note")
        self.helper.add_input(Submit("submit", "Record test"))

    def clean_tested_on(self):
        tested_on = self.cleaned_data["tested_on"]
        if tested_on > timezone.localdate():
            raise ValidationError("A test cannot be dated after today.")
        return tested_on


class RoutingFilterForm(Form):
    """The directory's filters; a value that does not validate is ignored rather than failing the page."""

    purpose = forms.ChoiceField(choices=[("", "All purposes"), *LinePurpose.choices], required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))
    overdue = forms.BooleanField(required=False, label="Only lines overdue for a test",
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def criteria(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"purpose": "", "overdue_only": False}
        return {"purpose": self.cleaned_data["purpose"], "overdue_only": self.cleaned_data["overdue"]}
