"""Forms of counsel's approval: recording a decision through an account, sending a link, deciding through it.

They only validate the shape of what was sent (text through the one normaliser, a party of this agreement);
the rules — the current version only, a decline needs a note — are ``agreements.counsel``'s, whose messages
land next to the field.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from agreements.models import AgreementParty, PartyApproval
from toolkit.forms import Form

DECISION_CHOICES = [
    (PartyApproval.Decision.APPROVED, "Approve this version"),
    (PartyApproval.Decision.DECLINED, "Decline: changes are needed"),
]


class CounselDecisionForm(Form):
    """What counsel decides, on the link page."""

    decision = forms.ChoiceField(label="Decision", choices=DECISION_CHOICES, widget=forms.RadioSelect)
    approver_name = forms.CharField(label="Your name", max_length=200)
    approver_title = forms.CharField(label="Your title", max_length=200, required=False,
                                     help_text="For example: Assistant County Attorney, General Counsel.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Needed when you decline: say what must change. Optional when you approve.")


class _PartyForm(Form):
    """A party of this agreement (any other is an invalid choice) and the version the page showed."""

    party = forms.ModelChoiceField(label="Party", queryset=AgreementParty.objects.none(),
                                   empty_label="Choose a party")
    version_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, parties: QuerySet[AgreementParty], version_number: int, **kwargs):
        kwargs.setdefault("initial", {})["version_number"] = version_number
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class CounselRecordForm(_PartyForm, CounselDecisionForm):
    """A decision counsel gave a coordinator or legal reviewer, who names the counsel."""

    field_order = ["party", "decision", "approver_name", "approver_title", "note", "version_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver_name"].label = "Counsel's name"
        self.fields["approver_title"].label = "Counsel's title"
        self.fields["note"].help_text = "Needed for a decline: what counsel asks to change."
        self.fields["decision"].choices = [(PartyApproval.Decision.APPROVED, "Counsel approves this version"),
                                           (PartyApproval.Decision.DECLINED, "Counsel declines it")]


class CounselLinkForm(_PartyForm):
    """Where to send a one-time link."""

    email = forms.EmailField(label="Counsel's e-mail address", max_length=254)
