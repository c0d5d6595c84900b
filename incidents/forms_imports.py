"""The forms of the incident import: the upload, and which column of the file holds which field."""

from __future__ import annotations

from django import forms

from toolkit.forms import Form

NOT_IN_FILE = ("", "— not in the file —")


class IncidentImportUploadForm(Form):
    file = forms.FileField(label="CSV file of past incidents",
                           widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        from incidents.imports import MAX_BYTES, MSG_TOO_BIG

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(MSG_TOO_BIG)
        return upload


class ImportMappingForm(Form):
    """One choice per field: the file's column that holds it. ``incident_import_map`` checks the whole mapping."""

    def __init__(self, *args, columns: list[str], **kwargs):
        from incidents.imports import FIELDS

        super().__init__(*args, **kwargs)
        choices = [NOT_IN_FILE, *((column, column) for column in columns)]
        for spec in FIELDS:
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label, choices=choices, required=spec.required, help_text=spec.help,
                error_messages={"required": "Choose the column that holds this."},
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def clean(self):
        from incidents.imports import mapping_problems

        cleaned = super().clean()
        columns = [value for value, _ in self.fields[next(iter(self.fields))].choices if value]
        for name, message in mapping_problems(cleaned, columns).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def rows(self):
        """(bound field, required) in the order of the fields, for the template's table."""
        return [(self[name], self.fields[name].required) for name in self.fields]
