"""Forms of the action plan: add or update an item, filter the list. They only validate."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from partners.models import Organization
from readiness.forms.results import owner_choices
from readiness.models import ActionItem, ActionStatus
from toolkit.forms import Form, WorkgroupScopedFormMixin


class ActionItemForm(WorkgroupScopedFormMixin, Form):
    title = forms.CharField(max_length=ActionItem._meta.get_field("title").max_length)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has to happen, and how the workgroup will know it is done.",
    )
    owner_organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), required=False, label="Owner organization", empty_label="No owner yet",
        help_text="The partner that answers for this item; organizations come from the partner map.",
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workgroup, submit_label: str = "Save action item", **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)  # the mixin scopes owner_organization
        self.fields["owner_organization"].queryset = owner_choices(workgroup=workgroup)
        self.helper = FormHelper()
        self.helper.layout = Layout("title", "description", Row(Column("owner_organization"), Column("due_date")))
        if "status" in self.fields:
            self.helper.layout.append(Row(Column("status"), Column()))
        self.helper.add_input(Submit("submit", submit_label))

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class ActionItemEditForm(ActionItemForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class ActionFilterForm(Form):
    status = forms.ChoiceField(choices=[("", "All statuses"), *ActionStatus.choices], required=False)
