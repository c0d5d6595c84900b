"""The questionnaire, shared by members answering in the app and people holding a one-time link.

One field per statement (``item_<pk>``), grouped by dimension for the page. The form only checks
that each value is one the statement offers; ``services.response_save`` / ``response_submit``
decide what is complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms import BoundField

from partners import selectors as partner_selectors
from readiness.models import Answer, AnswerType, Dimension, Item, Respondent
from readiness.scoring import UNSURE
from readiness.text import stored_text
from toolkit.forms import Form

DONT_KNOW = (UNSURE, "Don't know")
AGREEMENT_CHOICES = [
    ("1", "1 Strongly disagree"),
    ("2", "2 Disagree"),
    ("3", "3 Neither agree nor disagree"),
    ("4", "4 Agree"),
    ("5", "5 Strongly agree"),
    DONT_KNOW,
]
YES_PARTLY_NO_CHOICES = [("yes", "Yes"), ("partly", "Partly"), ("no", "No"), DONT_KNOW]
CHOICES = {AnswerType.AGREEMENT: AGREEMENT_CHOICES, AnswerType.YES_PARTLY_NO: YES_PARTLY_NO_CHOICES}


def answer_label(item: Item, answer: Answer | None) -> str:
    """What a respondent answered, as the questionnaire worded it ("" when unanswered)."""
    if answer is None:
        return ""
    if item.answer_type in CHOICES:
        return dict(CHOICES[item.answer_type]).get(answer.choice, answer.choice)
    if item.answer_type == AnswerType.NUMBER:
        return "" if answer.number is None else f"{answer.number.normalize():f}"
    return answer.text


def field_name(item: Item) -> str:
    return f"item_{item.pk}"


@dataclass
class DimensionFields:
    dimension: Dimension
    fields: list[BoundField]


def _item_field(item: Item) -> forms.Field:
    common = {"label": item.statement, "help_text": item.help_text, "required": False}
    if item.answer_type in CHOICES:
        return forms.ChoiceField(choices=CHOICES[item.answer_type], widget=forms.RadioSelect(
            attrs={"class": "form-check-input"}), **common)
    if item.answer_type == AnswerType.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, widget=forms.NumberInput(
            attrs={"class": "form-control", "step": "any"}), **common)
    return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                           **common)  # normalised by the toolkit base form, like every text field


def _initial(item: Item, answer: Answer) -> object:
    if item.answer_type in CHOICES:
        return answer.choice
    if item.answer_type == AnswerType.NUMBER:
        return answer.number
    return stored_text(answer.text, multiline=True)


class QuestionnaireForm(Form):
    role_title = forms.CharField(
        label="Your role", max_length=200, required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="For example “Shift supervisor, county 911”. Needed to submit.",
    )

    def __init__(self, *args, dimensions: list[Dimension], answers: dict[int, Answer], respondent: Respondent,
                 workgroup=None, **kwargs):
        """``workgroup`` is given for members only: they may say which partner organization they answer for."""
        super().__init__(*args, **kwargs)
        self.items: list[Item] = []
        self.initial.setdefault("role_title", stored_text(respondent.role_title))
        for dimension in dimensions:
            for item in dimension.items.all():
                self.items.append(item)
                self.fields[field_name(item)] = _item_field(item)
                if item.pk in answers:
                    self.initial[field_name(item)] = _initial(item, answers[item.pk])
        self.dimensions = dimensions
        if workgroup is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=partner_selectors.organization_list(workgroup=workgroup).prefetch_related(None)
                .order_by("name"),
                required=False, empty_label="None / not answering for an organization",
                label="Organization you answer for", widget=forms.Select(attrs={"class": "form-select"}),
                help_text="Results are shown per organization.",
            )
            self.initial.setdefault("organization", respondent.organization_id)

    def grouped(self) -> list[DimensionFields]:
        return [DimensionFields(dimension=d, fields=[self[field_name(i)] for i in d.items.all()])
                for d in self.dimensions]

    def answers(self) -> dict[int, object]:
        return {item.pk: self.cleaned_data.get(field_name(item)) for item in self.items}

    def service_kwargs(self) -> dict:
        """Keyword arguments for response_save / response_submit."""
        kwargs = {"answers": self.answers(), "role_title": self.cleaned_data.get("role_title", "")}
        if "organization" in self.fields:
            kwargs["organization"] = self.cleaned_data.get("organization")
        return kwargs
