"""Forms for rounds and respondents: they validate and hand cleaned data to readiness.services."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import get_user_model

from partners import selectors as partner_selectors
from readiness import selectors
from readiness.models import AssessmentRound, InstrumentVersion
from readiness.text import stored_initial
from toolkit.forms import Form, WorkgroupScopedFormMixin
from toolkit.models import WorkgroupGoal

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: InstrumentVersion) -> str:
        return f"{obj.instrument.name} — version {obj.number}"


def _threshold_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Action threshold", min_value=Decimal("1"), max_value=Decimal("5"), max_digits=3, decimal_places=2,
        initial=Decimal("3"), widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text="Dimensions and statements scoring under this (on the 1–5 scale) are proposed as action items.",
    )


class RoundForm(WorkgroupScopedFormMixin, Form):
    """Opening a round. The instrument version is one of this workgroup's published versions."""

    title = forms.CharField(max_length=200, help_text="For example “Baseline readiness, spring 2025”.")
    instrument_version = VersionChoiceField(
        queryset=InstrumentVersion.objects.none(), label="Instrument version", empty_label="Choose a version…",
        help_text="Only published versions can be used; a round keeps citing the version it started with.",
    )
    scope_statement = forms.CharField(
        label="Scope", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What change partners are asked about: which calls, which area, which hours, which organizations.",
    )
    goal = forms.ChoiceField(choices=WorkgroupGoal.choices, label="Goal of the change")
    due_date = forms.DateField(widget=DATE_INPUT, help_text="Links keep working for a short grace period after it.")
    action_threshold = _threshold_field()

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        versions = selectors.published_versions(workgroup=workgroup)
        self.fields["instrument_version"].queryset = versions
        if "instrument_version" not in self.initial and len(versions) == 1:
            self.initial["instrument_version"] = versions[0].pk  # the usual case: just the default instrument
        if "goal" not in self.initial:
            self.initial["goal"] = workgroup.goal
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title", "instrument_version", "scope_statement", "goal",
            Row(Column("due_date"), Column("action_threshold")),
        )

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class RoundEditForm(Form):
    """The details that may change after opening; the instrument version and goal stay as they were."""

    title = forms.CharField(max_length=200)
    scope_statement = forms.CharField(label="Scope", widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(
        widget=DATE_INPUT, help_text="Moving it also moves the expiry of every link not yet used to submit."
    )
    action_threshold = _threshold_field()

    def __init__(self, *args, round: AssessmentRound | None = None, **kwargs):
        if round is not None and "initial" not in kwargs:
            kwargs["initial"] = stored_initial({"title": round.title, "scope_statement": round.scope_statement,
                                                "due_date": round.due_date, "action_threshold": round.action_threshold})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("title", "scope_statement", Row(Column("due_date"), Column("action_threshold")))

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class ReopenForm(Form):
    due_date = forms.DateField(label="New due date", widget=DATE_INPUT)


def _pending_emails(round_: AssessmentRound) -> set[str]:
    return {email.lower() for email in selectors.respondent_list(round=round_).values_list("email", flat=True)}


class MemberInviteForm(WorkgroupScopedFormMixin, Form):
    """Members of the workgroup who are not in the round yet (they answer inside the app).

    The field accepts any member, so that someone added meanwhile gets the service's plain
    "already a respondent" message; the checkboxes offer only the ones not yet invited.
    """

    users = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.order_by("first_name", "last_name", "email"),
        widget=CHECKBOXES, label="Members",
    )

    def __init__(self, *args, workgroup, round: AssessmentRound, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        taken_users = set(selectors.respondent_list(round=round).exclude(user=None).values_list("user_id", flat=True))
        taken_emails = _pending_emails(round)
        self.offered = [u for u in self.fields["users"].queryset
                        if u.pk not in taken_users and u.email.lower() not in taken_emails]
        self.fields["users"].widget.choices = [(u.pk, f"{u} ({u.email})") for u in self.offered]


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.organization.name}"


class ContactInviteForm(Form):
    """Partner contacts of this workgroup with an e-mail address, not in the round yet (they get a link).

    Any contact of the workgroup validates, so that the service can say plainly why one cannot be
    invited (no e-mail address, already invited); another workgroup's contact is an invalid choice.
    """

    contacts = ContactChoiceField(queryset=None, widget=CHECKBOXES, label="Partner contacts")

    def __init__(self, *args, workgroup, round: AssessmentRound, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = partner_selectors.contact_list(workgroup=workgroup).order_by("organization__name", "name")
        self.fields["contacts"].queryset = queryset
        taken = _pending_emails(round)
        self.offered = [c for c in queryset if c.email and c.email.lower() not in taken]
        self.fields["contacts"].widget.choices = [
            (c.pk, self.fields["contacts"].label_from_instance(c)) for c in self.offered
        ]


class PersonInviteForm(Form):
    """Someone who is neither a member nor in the partner directory; they get a one-time link."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(label="E-mail address")
    organization = forms.ModelChoiceField(
        queryset=None, empty_label="Choose…",
        help_text="The organization they answer for (results are read per organization). Not listed? Add it to "
                  "the partner map first.",
    )
    role_title = forms.CharField(label="Role", max_length=200, required=False,
                                 help_text="For example “911 operations manager”.")

    def __init__(self, *args, workgroup, round: AssessmentRound | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            partner_selectors.organization_list(workgroup=workgroup).prefetch_related(None).order_by("name")
        )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
