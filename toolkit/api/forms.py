"""The coordinator's form for a new API key (validation only; toolkit.services.api_tokens decides)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from toolkit.forms import Form
from toolkit.models import ApiScope, ApiToken


class ApiTokenForm(Form):
    name = forms.CharField(max_length=ApiToken._meta.get_field("name").max_length,
                           help_text="Which system will use it, e.g. “County CAD export”.")
    scope = forms.ChoiceField(choices=ApiScope.choices, initial=ApiScope.READ, widget=forms.RadioSelect,
                              label="What it may do")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create key"))
