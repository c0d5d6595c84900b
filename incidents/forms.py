"""The incident report form. It validates what was typed; ``services.incident_report`` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from incidents.models import Category, Harm, IncidentClass, Priority, TransferDirection
from partners.selectors import organization_list
from toolkit.forms import Form, WorkgroupScopedFormMixin

NO_IDENTIFIERS = ("Do not write the caller's name, phone number, address or any other detail that identifies them. "
                  "The CAD incident number and the 988 contact id point to the call.")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentReportForm(WorkgroupScopedFormMixin, Form):
    incident_class = forms.ChoiceField(label="What kind of event", choices=IncidentClass.choices,
                                       widget=forms.RadioSelect)
    category = forms.ChoiceField(choices=[("", "Choose…"), *Category.choices])
    occurred_at = forms.DateTimeField(label="When it happened", widget=DateTimeInput())
    discovered_at = forms.DateTimeField(label="When it was noticed", widget=DateTimeInput())
    organizations = forms.ModelMultipleChoiceField(
        label="Organizations involved", queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    transfer_direction = forms.ChoiceField(label="Transfer", choices=TransferDirection.choices,
                                           initial=TransferDirection.NONE)
    cad_reference = forms.CharField(label="CAD incident number", max_length=60, required=False)
    contact_reference = forms.CharField(label="988 contact id", max_length=60, required=False)
    risk_level = forms.CharField(label="Risk level assigned", max_length=80, required=False,
                                 help_text="As named in the triage protocol in force at the time (e.g. Moderate).")
    narrative = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=NO_IDENTIFIERS)
    immediate_actions = forms.CharField(label="What was done at once", required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    harm_estimate = forms.ChoiceField(label="Harm, as far as you can tell", choices=Harm.choices,
                                      initial=Harm.UNKNOWN)
    debrief_offered = forms.BooleanField(label="A debrief was offered to the staff involved", required=False)

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["organizations"].queryset = organization_list(workgroup=workgroup).prefetch_related(None)
        zone = timezone.get_current_timezone_name()
        for name in ("occurred_at", "discovered_at"):
            self.fields[name].help_text = f"Date and time in {zone}."


class TriageForm(WorkgroupScopedFormMixin, Form):
    reviewer = forms.ModelChoiceField(queryset=None, empty_label="Choose…",
                                      help_text="A QA reviewer or coordinator of the workgroup.")
    priority = forms.ChoiceField(choices=[("", "Choose…"), *Priority.choices])

    def __init__(self, *args, workgroup, **kwargs):
        from django.contrib.auth import get_user_model

        from toolkit.models import Role

        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["reviewer"].queryset = get_user_model().objects.filter(
            memberships__workgroup=workgroup, memberships__role__in=(Role.QA_REVIEWER, Role.COORDINATOR),
        ).order_by("first_name", "last_name", "email")
