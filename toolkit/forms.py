"""Forms validate; services decide. Crispy helpers live on the forms."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ImproperlyConfigured, ValidationError

from toolkit.models import JurisdictionType, Role, Workgroup, WorkgroupGoal
from toolkit.text import normalise_text

# Every form in the project answers an invalid POST with this status (and the form, with what was typed).
INVALID_FORM_STATUS = 400

# Dates a person can mean. The calendar's own ends (0001-01-01, 9999-12-31) overflow the day arithmetic
# the filters do ("until" is before the start of the next day) and the time-zone conversions.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2200, 12, 31)  # incidents.trends keeps to them too
MSG_DATE_OUT_OF_RANGE = "Give a date between 1900 and 2200."


def plausible_date(value: date) -> None:
    """Validator for date fields and filters whose value feeds date arithmetic."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(MSG_DATE_OUT_OF_RANGE, code="date_out_of_range")


class NormalisedTextFormMixin:
    """Text fields pass what people type through the one normaliser (``toolkit.text``).

    Word's line breaks become newlines (spaces in one-line fields); characters documents cannot
    hold are refused with a message next to the field, and the typed text stays in the form.
    Passwords are left exactly as typed. Fields added after ``__init__`` (one per template
    variable, say) are covered too: the wrapping happens when the form is cleaned.
    """

    def full_clean(self):
        for field in self.fields.values():
            if (isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
                    and not getattr(field, "_toolkit_normalised", False)):
                field.to_python = _normalising(field.to_python, multiline=isinstance(field.widget, forms.Textarea))
                field._toolkit_normalised = True
        return super().full_clean()


def _normalising(to_python, *, multiline: bool):
    def normalised(value):
        value = to_python(value)
        return normalise_text(value, multiline=multiline) if isinstance(value, str) else value

    return normalised


def form_data(request) -> dict | None:
    """What to bind a form to: the POST data on a POST (even an empty one), nothing on a GET.

    ``request.POST or None`` treats a POST without fields as a GET and shows a fresh form with 200.
    """
    return request.POST if request.method == "POST" else None


class Form(NormalisedTextFormMixin, forms.Form):
    """Base of every plain form in the project."""


class ModelForm(NormalisedTextFormMixin, forms.ModelForm):
    """Base of every model form in the project."""


class WorkgroupScopedFormMixin:
    """Limit every model choice in a form to the current workgroup.

    A choice of rows that carry a ``workgroup`` is filtered to that workgroup; a choice
    of people is filtered to its members. A tampered POST naming another workgroup's
    row then fails validation like any invalid choice. Use it on every form that picks
    rows: ``OrganizationForm(request.POST, workgroup=request.workgroup)``.
    """

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.workgroup = workgroup
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model is get_user_model():
                field.queryset = queryset.filter(memberships__workgroup=workgroup).distinct()
            elif model is Workgroup:
                field.queryset = queryset.filter(pk=workgroup.pk)
            elif any(f.name == "workgroup" for f in model._meta.get_fields()):
                field.queryset = queryset.filter(workgroup=workgroup)
            else:
                raise ImproperlyConfigured(
                    f"{type(self).__name__}.{field.label}: {model.__name__} has no workgroup; "
                    "scope its queryset explicitly before using WorkgroupScopedFormMixin."
                )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form so the person sees it next to what they typed."""
    from toolkit.concurrency import move_to_saved_version

    move_to_saved_version(form, exc)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class WorkgroupForm(ModelForm):
    class Meta:
        model = Workgroup
        fields = ["name", "jurisdiction_type", "jurisdiction_name", "goal", "description"]
        labels = {"goal": "What is the workgroup aiming for?"}
        help_texts = {
            "goal": "Interoperability means 988 and 911 transfer calls and share information; "
            "integrated workflows go further and share processes and staff routines.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction_type"].choices = JurisdictionType.choices
        self.fields["goal"].choices = WorkgroupGoal.choices
        self.helper = _helper(submit_label)


class InvitationForm(Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, form_action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send invitation")
        self.helper.form_action = form_action
        self.helper.form_class = "row row-cols-lg-auto g-2 align-items-end"

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class MembershipRoleForm(Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(Form):
    """For people who have no account yet: their e-mail address comes from the invitation."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        self.helper = _helper("Create my account and join")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class ResourceSearchForm(Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    category = forms.ChoiceField(required=False)

    def __init__(self, *args, categories: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [(c, c) for c in categories]


# --- Two-step sign-in ------------------------------------------------------------------------------


class TwoStepCodeForm(Form):
    """A code from the authenticator app, or a recovery code: the service decides which."""

    code = forms.CharField(
        label="Code", max_length=32,
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
                                      "spellcheck": "false", "autocapitalize": "none"}),
    )

    def __init__(self, *args, submit_label: str = "Continue", app_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if app_only:  # setting up: only the app can prove it has the secret
            self.fields["code"].help_text = "The six digits your authenticator app shows for this site."
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
        self.helper = _helper(submit_label)


class TwoStepTurnOffForm(Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Turn off two-step sign-in")
        self.helper.inputs[0].field_classes = "btn btn-danger"


class WorkgroupTwoStepForm(Form):
    mfa_required = forms.BooleanField(
        label="Require two-step sign-in for coordinators, legal reviewers and QA reviewers", required=False,
        help_text="They will sign in with a code from an authenticator app as well as their password. Anyone in "
                  "those roles who has not set it up is asked to the next time they open this workgroup.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")
