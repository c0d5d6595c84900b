"""Transfer forms: they validate what was typed; ``triage.transfers.services`` fills in the reason and writes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from partners.models import Organization, TransferLine
from toolkit.forms import Form, WorkgroupScopedFormMixin
from triage.models import (
    ACCEPTED_RESULTS,
    Consent,
    Direction,
    FollowUpOutcome,
    Node,
    NodeKind,
    Transfer,
    TransferKind,
    TransferResult,
)
from triage.transfers.selectors import outcome_choices

NO_IDENTIFIERS = ("The CAD incident number or crisis-line contact id in that partner's system. Never the caller's "
                  "name, phone number or any other detail that identifies them.")
MSG_RECEIVED_AFTER = "The call cannot have been received after the transfer was initiated."
MSG_ACCEPTED_BEFORE = "The transfer cannot have been accepted before it was initiated."
MSG_ACCEPTED_RESULT = "An accept time goes with a transfer that was accepted (or accepted and sent back): clear it."
MSG_ENDED_BEFORE = "The call cannot have ended before the transfer was initiated."
MSG_FUTURE = "This is in the future; give the time it happened."

# Fields the form hands to ``transfer_create`` / ``transfer_update``, in the order the page shows them.
TRANSFER_FIELDS = ("direction", "sending_organization", "receiving_organization", "line", "partner_call_id",
                   "call_received_at", "initiated_at", "accepted_at", "ended_at", "kind", "consent", "result",
                   "outcome")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        # Seconds matter here (time to accept): the input shows them, and a correction keeps them.
        kwargs.setdefault("attrs", {"step": "1"})
        super().__init__(format="%Y-%m-%dT%H:%M:%S", **kwargs)


def _when(label: str, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput())


class TransferForm(WorkgroupScopedFormMixin, Form):
    direction = forms.ChoiceField(choices=[("", "Choose…"), *Direction.choices])
    sending_organization = forms.ModelChoiceField(label="From (sending partner)", queryset=Organization.objects.all(),
                                                  empty_label="Choose…")
    receiving_organization = forms.ModelChoiceField(label="To (receiving partner)",
                                                    queryset=Organization.objects.all(), empty_label="Choose…")
    line = forms.ModelChoiceField(label="Transfer line dialled", queryset=TransferLine.objects.all(), required=False,
                                  empty_label="Not recorded",
                                  help_text="One of the receiving partner's lines in the routing directory.")
    partner_call_id = forms.CharField(label="Sending partner's call id", max_length=60, required=False,
                                      help_text=NO_IDENTIFIERS)
    call_received_at = _when("Call received")
    initiated_at = _when("Transfer initiated", required=True)
    accepted_at = _when("Accepted by the receiver")
    ended_at = _when("Call ended")
    kind = forms.ChoiceField(label="Warm or cold", choices=TransferKind.choices, initial=TransferKind.WARM,
                             widget=forms.RadioSelect)
    consent = forms.ChoiceField(label="Caller consent", choices=[("", "Not recorded"), *Consent.choices],
                                required=False)
    result = forms.ChoiceField(choices=[("", "Choose…"), *TransferResult.choices])
    outcome = forms.TypedChoiceField(
        label="Triage outcome that sent it", required=False, coerce=int, empty_value=None,
        help_text="From the protocol version in force when the transfer was initiated; its route and risk level "
                  "are filled in from it.")

    def __init__(self, *args, workgroup, **kwargs):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        self.fields["line"].queryset = (TransferLine.objects.filter(workgroup=workgroup)
                                        .select_related("organization").order_by("organization__name", "name"))
        self.fields["line"].label_from_instance = lambda line: f"{line.organization} · {line.name}"
        for name in ("sending_organization", "receiving_organization"):
            self.fields[name].queryset = Organization.objects.filter(workgroup=workgroup).order_by("name")
        self.fields["outcome"].choices = [("", "Not recorded"), *outcome_choices(workgroup=workgroup)]
        zone = timezone.get_current_timezone_name()
        for name in ("call_received_at", "initiated_at", "accepted_at", "ended_at"):
            self.fields[name].help_text = f"Date and time in {zone}."
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_outcome(self) -> Node | None:
        pk = self.cleaned_data.get("outcome")
        if pk is None:
            return None
        node = Node.objects.filter(workgroup=self.workgroup, kind=NodeKind.OUTCOME, pk=pk).first()
        if node is None:
            raise forms.ValidationError("Choose one of the outcomes listed.")
        return node

    def clean(self):
        data = super().clean()
        initiated = data.get("initiated_at")
        now = timezone.now()
        if initiated and initiated > now + timezone.timedelta(minutes=5):
            self.add_error("initiated_at", MSG_FUTURE)
        if initiated:
            if data.get("call_received_at") and data["call_received_at"] > initiated:
                self.add_error("call_received_at", MSG_RECEIVED_AFTER)
            if data.get("accepted_at") and data["accepted_at"] < initiated:
                self.add_error("accepted_at", MSG_ACCEPTED_BEFORE)
            if data.get("ended_at") and data["ended_at"] < initiated:
                self.add_error("ended_at", MSG_ENDED_BEFORE)
        if data.get("accepted_at") and data.get("result") and data["result"] not in ACCEPTED_RESULTS:
            self.add_error("accepted_at", MSG_ACCEPTED_RESULT)
        return data

    @staticmethod
    def initial_from(transfer: Transfer) -> dict:
        initial = {name: getattr(transfer, name) for name in TRANSFER_FIELDS}
        initial["outcome"] = transfer.outcome_id
        for name in ("call_received_at", "initiated_at", "accepted_at", "ended_at"):
            if initial[name] is not None:
                initial[name] = timezone.localtime(initial[name])
        return initial


class FollowUpForm(Form):
    done_at = forms.DateTimeField(label="Followed up on", widget=DateTimeInput())
    outcome = forms.ChoiceField(label="How it went", choices=[("", "Choose…"), *FollowUpOutcome.choices])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_follow_up_%s")
        super().__init__(*args, **kwargs)
        self.fields["done_at"].help_text = f"Date and time in {timezone.get_current_timezone_name()}."
        self.helper = FormHelper()
        self.helper.form_tag = False


class TransferSettingsForm(Form):
    follow_up_hours = forms.IntegerField(
        label="Follow up within (hours)", min_value=1, max_value=720,
        help_text="The window the partners agreed for confirming that help reached the person (24 to 72 hours is "
                  "usual). New transfers are due for follow-up this long after they were initiated; transfers "
                  "already recorded keep their due time.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
