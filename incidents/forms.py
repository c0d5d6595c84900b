"""The incident report form. It validates what was typed; ``services.incident_report`` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from incidents.models import (
    ActionStatus,
    Category,
    Confidentiality,
    Effectiveness,
    Harm,
    IncidentClass,
    Likelihood,
    Priority,
    Severity,
    TransferDirection,
)
from incidents.taxonomy import FACTOR_CHOICES
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


# --- The review (QA) -----------------------------------------------------------------------------------
# Several of these forms share the incident page: each has its own id prefix, so no two fields share an id
# (a label would otherwise name another form's field, for screen readers and browsers alike).


class PageForm(Form):
    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s" if self.id_prefix else "id_%s")
        super().__init__(*args, **kwargs)


class TriageForm(WorkgroupScopedFormMixin, PageForm):
    id_prefix = "triage"
    reviewer = forms.ModelChoiceField(queryset=None, empty_label="Choose…",
                                      help_text="A QA reviewer or coordinator of the workgroup.")
    priority = forms.ChoiceField(choices=[("", "Choose…"), *Priority.choices])

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["reviewer"].queryset = _reviewers(workgroup)



def _reviewers(workgroup):
    from django.contrib.auth import get_user_model

    from toolkit.models import Role

    return get_user_model().objects.filter(
        memberships__workgroup=workgroup, memberships__role__in=(Role.QA_REVIEWER, Role.COORDINATOR),
    ).order_by("first_name", "last_name", "email")


def _members(workgroup):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__workgroup=workgroup).order_by("first_name", "last_name",
                                                                                      "email")


class HarmRatingForm(PageForm):
    id_prefix = "rating"
    harm = forms.ChoiceField(label="Your rating of the harm", choices=[("", "Choose…"), *Harm.choices],
                             help_text="Rate on your own first; you see the other reviewer's rating after yours.")
    rationale = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HarmAgreeForm(PageForm):
    id_prefix = "agree"
    harm = forms.ChoiceField(label="Harm level the reviewers agreed",
                             choices=[("", "Choose…"), *[c for c in Harm.choices if c[0] != Harm.UNKNOWN]])


class AssessmentForm(PageForm):
    id_prefix = "assess"
    likelihood = forms.TypedChoiceField(label="Likelihood it happens again", coerce=int, empty_value=None,
                                        choices=[("", "Choose…"), *Likelihood.choices])
    severity = forms.TypedChoiceField(label="Severity of the consequences", coerce=int, empty_value=None,
                                      choices=[("", "Choose…"), *Severity.choices])
    factor_codes = forms.MultipleChoiceField(label="Contributing factors", choices=FACTOR_CHOICES,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "Choose at least one contributing factor."})
    findings = forms.CharField(label="Findings", widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="What the review found, in plain words. " + NO_IDENTIFIERS)


class RootCauseForm(PageForm):
    id_prefix = "cause"
    description = forms.CharField(label="Root cause", widget=forms.Textarea(attrs={"rows": 2}))
    factor_code = forms.ChoiceField(label="Contributing factor it comes from", required=False,
                                    choices=[("", "None in particular"), *FACTOR_CHOICES])


class ActionForm(WorkgroupScopedFormMixin, PageForm):
    id_prefix = "action"
    root_cause = forms.ModelChoiceField(label="For the root cause", queryset=None, empty_label="Choose…")
    description = forms.CharField(label="Corrective action", widget=forms.Textarea(attrs={"rows": 2}))
    owner_organization = forms.ModelChoiceField(label="Owner organization", queryset=None, empty_label="Choose…")
    assignee = forms.ModelChoiceField(label="Person reminded when it is overdue", queryset=None, required=False,
                                      empty_label="The incident's reviewer")
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    effectiveness_check = forms.CharField(label="How its effect will be checked", required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}),
                                          help_text="For example: audit ten transfers in the next quarter.")

    def __init__(self, *args, workgroup, incident, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        # The owner is usually one of the organizations involved; with none named, any partner.
        involved = incident.organizations.order_by("name")
        self.fields["owner_organization"].queryset = (
            involved if involved.exists() else organization_list(workgroup=workgroup).prefetch_related(None))
        self.fields["assignee"].queryset = _members(workgroup)
        if "root_cause" in self.fields:
            self.fields["root_cause"].queryset = incident.root_causes.all()


class ActionUpdateForm(ActionForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    effectiveness = forms.ChoiceField(label="Did it work", choices=Effectiveness.choices,
                                      initial=Effectiveness.NOT_CHECKED)
    effectiveness_note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                         help_text="What the check showed, or why the action is cancelled.")

    field_order = ["description", "status", "owner_organization", "assignee", "due_date", "effectiveness_check",
                   "effectiveness", "effectiveness_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["root_cause"]
        self.fields["description"].disabled = True  # the action itself is what was agreed; add a new one instead


class CloseForm(PageForm):
    id_prefix = "close"
    closure_note = forms.CharField(label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(PageForm):
    id_prefix = "reopen"
    reason = forms.CharField(label="Why it is reopened", widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(PageForm):
    id_prefix = "comment"
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label="Internal to QA (joint reviewers and the reporter do not see it)",
                                  required=False, initial=True)

    def __init__(self, *args, full: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not full:
            del self.fields["internal"]


class ShareForm(WorkgroupScopedFormMixin, PageForm):
    id_prefix = "share"
    user = forms.ModelChoiceField(label="Person", queryset=None, empty_label="Choose…",
                                  help_text="A member of the workgroup who works for the organization below.")
    organization = forms.ModelChoiceField(label="For the organization", queryset=None, empty_label="Choose…")

    def __init__(self, *args, workgroup, incident, **kwargs):
        from toolkit.models import Role

        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["user"].queryset = _members(workgroup).exclude(
            memberships__workgroup=workgroup, memberships__role__in=(Role.QA_REVIEWER, Role.COORDINATOR))
        self.fields["organization"].queryset = incident.organizations.order_by("name")


class MarkingForm(WorkgroupScopedFormMixin, PageForm):
    id_prefix = "marking"
    confidentiality = forms.ChoiceField(label="Marking", choices=Confidentiality.choices, widget=forms.RadioSelect,
                                        help_text="A marked incident is read by QA reviewers and coordinators only, "
                                                  "carries its mark on every page and export, and every view of it "
                                                  "is recorded in the audit trail.")
    agreements = forms.ModelMultipleChoiceField(label="Related agreements", queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text="Their legal reviewers can read the incident "
                                                          "(unless it is marked).")

    def __init__(self, *args, workgroup, incident, **kwargs):
        from agreements.selectors import agreements_for_linking

        super().__init__(*args, workgroup=workgroup, **kwargs)
        # Agreements the organizations involved are party to (or, with none named, the latest), and those linked.
        organization_ids = [org.pk for org in incident.organizations.all()] or None
        linked = [agreement.pk for agreement in incident.agreements.all()]
        self.fields["agreements"].queryset = agreements_for_linking(
            workgroup=workgroup, organization_ids=organization_ids, keep_ids=linked)
