"""Forms of the public intake link (the report without an account, and the link's management) and of attachments.

They validate what was typed; ``incidents.intake`` and ``incidents.attachments`` decide and write.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from incidents import intake
from incidents.attachments import ACCEPT_ATTRIBUTE, ACCEPTED, max_bytes
from incidents.forms import IncidentReportForm
from toolkit.forms import Form

ANONYMOUS_HINT = "Leave your name and how to reach you empty to stay anonymous."


def _file_field(label: str, *, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label, required=required,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=f"A screenshot, a call transcript or a document: {ACCEPTED}, at most "
                  f"{filesizeformat(max_bytes())}. Black out callers' names, numbers and other identifiers first.",
    )


class IntakeReportForm(IncidentReportForm):
    """The member report's questions, who is reporting (optional), one optional file, and two robot traps."""

    reporter_name = forms.CharField(label="Your name (optional)", max_length=200, required=False,
                                    help_text=ANONYMOUS_HINT)
    reporter_contact = forms.CharField(
        label="How to reach you (optional)", max_length=200, required=False,
        help_text="A work phone number or e-mail address, so the QA team can ask follow-up questions. "
                  "Only QA reviewers and coordinators see it; it is never shared with partner agencies or exported.")
    file = _file_field("Attachment (optional)", required=False)
    # Robots fill every field; people never see this one (see the template: aria-hidden, out of the tab order).
    website = forms.CharField(label="Leave this empty", required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["file"] = _file_field("Attachment (optional)", required=False)  # the size limit as set now
        self.fields["started"].error_messages["required"] = intake.MSG_FORM_UNREADABLE
        self.initial.setdefault("started", intake.form_stamp(workgroup))
        if not self.fields["organizations"].queryset.exists():
            del self.fields["organizations"]  # a partner map not drawn yet: no empty question
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_unmentioned_fields = True
        self.helper.layout = Layout(
            Fieldset("The incident", "incident_class", "category", "occurred_at", "discovered_at", "organizations",
                     "transfer_direction", "cad_reference", "contact_reference", "risk_level", "narrative",
                     "immediate_actions", "harm_estimate", "debrief_offered"),
            Fieldset("Who is reporting", "reporter_name", "reporter_contact"),
            Fieldset("A file, if it helps", "file"),
            # The trap: hidden from sight and from screen readers, and out of the tab order.
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="visually-hidden", aria_hidden="true"),
            "started",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(intake.MSG_HONEYPOT, code="honeypot")
        if "started" in cleaned:
            intake.check_stamp(cleaned["started"], self.workgroup)
        return cleaned

    def service_kwargs(self) -> dict:
        """What ``intake.intake_submit`` takes: the report's fields, the reporter, the file."""
        return {name: value for name, value in self.cleaned_data.items() if name not in {"website", "started"}}

    def refreshed(self) -> IntakeReportForm:
        """Before showing the form again: a new time stamp (the person may send it again after correcting
        it), the trap emptied, everything else as typed. The chosen file cannot be kept by any browser."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["started"] = intake.form_stamp(self.workgroup)
            self.data["website"] = ""
        return self

    @property
    def file_was_chosen(self) -> bool:
        return bool(self.is_bound and self.files.get("file"))


class AttachmentForm(Form):
    file = _file_field("Add a file", required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field("Add a file", required=True)  # the size limit as set now
        self.fields["file"].error_messages["required"] = "Choose a file to attach."


class AttachmentDeleteForm(Form):
    confirm = forms.BooleanField(label="Yes, delete this file for good", required=True,
                                 error_messages={"required": "Tick “Yes, delete this file for good” to delete it."})


class IntakeLinkOperation:
    TURN_ON = "turn_on"
    REPLACE = "replace"
    TURN_OFF = "turn_off"
    CHOICES = [(TURN_ON, "Turn the link on"), (REPLACE, "Replace the link"), (TURN_OFF, "Turn the link off")]


class IntakeLinkForm(Form):
    """One of three buttons; replacing and turning off cut everyone holding the link off, so they are confirmed."""

    operation = forms.ChoiceField(choices=IntakeLinkOperation.CHOICES, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False)

    CONFIRM_LABELS = {
        IntakeLinkOperation.REPLACE: "I understand that the current link stops working at once, and that I must "
                                     "send the new one to the staff who should have it.",
        IntakeLinkOperation.TURN_OFF: "I understand that nobody can send a report through the link until it is "
                                      "turned on again (with a new address).",
    }

    def clean(self):
        cleaned = super().clean()
        operation = cleaned.get("operation")
        if operation in self.CONFIRM_LABELS and not cleaned.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm.")
        return cleaned
