"""The after-action report's three texts. ``after_action.after_action_save`` decides and writes."""

from __future__ import annotations

from django import forms

from toolkit.forms import Form

TEXT_LIMIT = 20_000  # a few pages each: a report is read, not archived in full here


def _text(label: str, help_text: str, *, rows: int, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": rows}))


class AfterActionForm(Form):
    summary = _text(
        "Summary", "What happened, in a few sentences, and what the review concluded. No names or other details "
        "that identify the caller; the report may be shared with the partners who own the actions.", rows=5,
        required=True)
    strengths = _text(
        "Strengths", "What went well and should be kept: a hand-off that worked, a quick call-back, a partner "
        "who stepped in.", rows=4)
    areas_for_improvement = _text(
        "Areas for improvement", "What did not work as the protocols and agreements intend. The corrective "
        "actions below are the plan for each of them.", rows=4)
