"""Forms of the Word round trip: the upload, and the decision on each changed clause.

(Kept beside ``agreements.forms`` rather than in it while issue 14 has several hands in that file; they
can move there as they are.)
"""

from __future__ import annotations

from typing import Any

from django import forms

from agreements.word import CHANGED
from agreements.word_package import MAX_UPLOAD_BYTES
from toolkit.forms import Form

EDITED_PREFIX = "edited_"
DOCX_ACCEPT = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class WordImportForm(Form):
    file = forms.FileField(
        label="Word document (.docx)",
        help_text=f"The agreement as exported from this app, edited in Word; at most {MAX_UPLOAD_BYTES // 2**20} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": DOCX_ACCEPT}),
        error_messages={"required": "Choose the Word document to upload.",
                        "empty": "That file is empty: choose the Word document to upload."},
    )
    from_party = forms.ChoiceField(label="Whose counsel marked it up", required=False)

    def __init__(self, *args: Any, party_names: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["from_party"].choices = [("", "Not said"), *((name, name) for name in party_names)]


class WordImportApplyForm(Form):
    """One "accept" box per changed clause; each may be edited before it is accepted."""

    accept = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                       label="Accept these changes")

    def __init__(self, *args: Any, proposals: list[dict], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.changed = [p for p in proposals if p["status"] == CHANGED]
        self.fields["accept"].choices = [(p["key"], p["title"]) for p in self.changed]
        for proposal in self.changed:
            self.fields[EDITED_PREFIX + proposal["key"]] = forms.CharField(
                label=f"Text to accept for “{proposal['title']}”", required=False, strip=False,
                initial=proposal["proposed_html"],
                widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace small"}),
            )

    def accepted_keys(self) -> set[str]:
        return set(self.cleaned_data.get("accept") or [])

    def edited(self) -> dict[str, str]:
        """The texts changed on the page (an emptied box means: accept the proposal as it is)."""
        edited = {}
        for proposal in self.changed:
            value = self.cleaned_data.get(EDITED_PREFIX + proposal["key"]) or ""
            if value.strip() and value.replace("\n", "") != proposal["proposed_html"].replace("\n", ""):
                edited[proposal["key"]] = value
        return edited

    def edited_field(self, key: str):
        return self[EDITED_PREFIX + key]
