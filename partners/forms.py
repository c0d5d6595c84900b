"""Forms for the partner map: they validate and hand cleaned data to partners.services."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from partners.models import Contact, EngagementStatus, InteropFunction, Organization, RaciRole, Sector
from partners.validators import normalize_phone
from toolkit.concurrency import StaleSaveFormMixin
from toolkit.forms import Form, ModelForm, WorkgroupScopedFormMixin

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class OrganizationForm(StaleSaveFormMixin, WorkgroupScopedFormMixin, ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organization
        fields = [
            "name", "sector", "org_type", "jurisdiction", "website", "engagement_status",
            "influence", "impact", "interest", "current_engagement", "desired_engagement",
            "rating_evidence", "last_reviewed", "notes",
        ]
        widgets = {
            "influence": forms.RadioSelect(choices=SCORE_CHOICES),
            "impact": forms.RadioSelect(choices=SCORE_CHOICES),
            "interest": forms.RadioSelect(choices=SCORE_CHOICES),
            "last_reviewed": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "rating_evidence": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, submit_label: str = "Save organization", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = self.fields["sector"].queryset.order_by("order", "name")
        self.fields["sector"].empty_label = "Choose a sector…"
        for name in ("influence", "impact", "interest"):
            self.fields[name] = forms.TypedChoiceField(
                choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
                label=self.fields[name].label, help_text=self.fields[name].help_text,
                initial=self.initial.get(name, 3),
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Organization", "name", Row(Column("sector"), Column("org_type")),
                     Row(Column("jurisdiction"), Column("website")), "engagement_status"),
            Fieldset("Influence, impact and interest",
                     Row(Column(InlineRadios("influence")), Column(InlineRadios("impact")),
                         Column(InlineRadios("interest"))),
                     Row(Column("current_engagement"), Column("desired_engagement")),
                     "rating_evidence", "last_reviewed"),
            Fieldset("Notes", "notes"),
        )
        self.helper.render_hidden_fields = True  # loaded_at (toolkit.concurrency)
        self.helper.add_input(Submit("submit", submit_label))

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class ContactForm(StaleSaveFormMixin, ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name", "title", "email", "phone", "workgroup_role", "is_primary", "turnover_risk",
            "lived_experience", "lived_experience_consent",
        ]

    def __init__(self, *args, submit_label: str = "Save contact", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name"), Column("title")),
            Row(Column("email"), Column("phone")),
            Row(Column("workgroup_role"), Column("turnover_risk")),
            "is_primary",
            Fieldset("Lived experience (only with the person's consent)", "lived_experience",
                     "lived_experience_consent"),
        )
        self.helper.render_hidden_fields = True  # loaded_at (toolkit.concurrency)
        self.helper.add_input(Submit("submit", submit_label))

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lived_experience") and not (cleaned.get("lived_experience_consent") or "").strip():
            self.add_error(
                "lived_experience_consent", "Note when and how the person agreed before recording lived experience."
            )
        return cleaned

    def _post_clean(self):
        # Validation of the model itself happens in the service, which knows the organization.
        pass


class SectorForm(ModelForm):
    class Meta:
        model = Sector
        fields = ["name", "why"]
        labels = {"name": "New sector", "why": "Why it matters (optional)"}

    def _post_clean(self):
        pass


# --- Roles and responsibilities (RACI) -------------------------------------------------


class RaciCellForm(WorkgroupScopedFormMixin, Form):
    """One cell: which function, which organization, which role (blank clears the cell)."""

    function = forms.ModelChoiceField(
        queryset=InteropFunction.objects.all(),
        empty_label="Choose a function…",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "That function is not in this workgroup's matrix."},
    )
    organization = forms.ModelChoiceField(
        # Columns are the organizations that are not inactive; the choices are the same.
        queryset=Organization.objects.exclude(engagement_status=EngagementStatus.INACTIVE).order_by("name"),
        empty_label="Choose an organization…",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "That organization is not an active partner of this workgroup."},
    )
    role = forms.ChoiceField(
        choices=[("", "— none —"), *RaciRole.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choose R, A, C or I, or leave the cell blank."},
    )

    def offer_only(self, organizations) -> None:
        """Show only these organizations as choices (the page's columns, not every partner of a large map).

        Call it after validation: the form still accepts any active organization of the workgroup.
        """
        self.fields["organization"].queryset = self.fields["organization"].queryset.filter(
            pk__in=[organization.pk for organization in organizations]
        )


class FunctionForm(Form):
    name = forms.CharField(label="New function", max_length=200)
    description = forms.CharField(label="What it involves (optional)", max_length=300, required=False)

    def __init__(self, *args, action: str, submit_label: str = "Add function", **kwargs):
        super().__init__(*args, **kwargs)
        if submit_label != "Add function":
            self.fields["name"].label = "Function"
        self.helper = FormHelper()
        self.helper.form_action = f"{action}#raci-add"  # a refused name shows the form, not the top of the page
        self.helper.form_id = "raci-function-form"
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-4"),
                Column("description", css_class="col-md-6"),
                Column(Submit("submit", submit_label, css_class="w-100"), css_class="col-md-2 pt-md-4 mb-3"),
            )
        )


# --- Directory import (partners.imports) ----------------------------------------------


class DirectoryImportUploadForm(Form):
    file = forms.FileField(label="Directory CSV file", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        from partners.directory_io import MAX_BYTES, MSG_TOO_BIG  # here: the other forms do not need the CSV module

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(MSG_TOO_BIG)
        return upload
