"""The forms of the transfer import: the upload (whose export it is), and which column holds which field."""

from __future__ import annotations

from django import forms

from partners.models import Organization
from toolkit.forms import Form, WorkgroupScopedFormMixin

NOT_IN_FILE = ("", "— not in the file —")


class TransferImportUploadForm(WorkgroupScopedFormMixin, Form):
    organization = forms.ModelChoiceField(
        label="Whose export is it?", queryset=Organization.objects.order_by("name"),
        help_text="The partner whose CAD or crisis-line system produced the file: its call ids are that partner's, "
                  "and the columns you choose are remembered for its next file.",
        widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label="CSV export of transfers", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        from triage.transfers.imports import MAX_BYTES, MSG_TOO_BIG

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(MSG_TOO_BIG)
        return upload


class TransferMappingForm(Form):
    """One choice per field: the file's column that holds it. ``transfer_import_map`` checks the whole mapping."""

    def __init__(self, *args, columns: list[str], **kwargs):
        from triage.transfers.imports import FIELDS

        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [NOT_IN_FILE, *((column, column) for column in columns)]
        for spec in FIELDS:
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label, choices=choices, required=spec.required, help_text=spec.help,
                error_messages={"required": "Choose the column that holds this."},
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def clean(self):
        from triage.transfers.imports import mapping_problems

        cleaned = super().clean()
        for name, message in mapping_problems(cleaned, self.columns).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def rows(self):
        """(bound field, required) in the order of the fields, for the template's table."""
        return [(self[name], self.fields[name].required) for name in self.fields]
