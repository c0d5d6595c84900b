"""Forms for triage protocols: they validate and hand cleaned data to triage.services.

Every form's ``cleaned_data`` is exactly the keyword arguments of the service it feeds, so views
pass it on unchanged (``toolkit.views.shortcuts.form_response``). Every choice of a node or risk
level is limited to the workgroup (WorkgroupScopedFormMixin) and then to the same version, so a
tampered POST naming another version's row is an invalid choice. Text goes through the one
normaliser (``toolkit.forms.Form``).
"""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Organization
from partners.selectors import organization_list
from toolkit.forms import Form, WorkgroupScopedFormMixin
from triage import jsonio
from triage.models import Node, NodeKind, Option, ProtocolVersion, RiskLevel, Route, Scenario

CRITERION_CHOICES = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class ProtocolForm(Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What calls it covers and who agreed to draw it up.")

    def __init__(self, *args, submit_label: str = "Create protocol", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class VersionForm(Form):
    change_summary = forms.CharField(max_length=300, required=False,
                                     help_text="What changed in this version, in a sentence.")
    reassessment_guidance = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=ProtocolVersion._meta.get_field("reassessment_guidance").help_text,
    )

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)


class NodeForm(WorkgroupScopedFormMixin, Form):
    kind = forms.ChoiceField(choices=NodeKind.choices, widget=forms.RadioSelect, initial=NodeKind.QUESTION)
    text = forms.CharField(max_length=300, help_text="The question asked, or the outcome's title.")
    guidance = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="For the call-taker: what to listen for, how to ask.")
    is_root = forms.BooleanField(required=False, label="This is the first question",
                                 help_text="The tree starts here; any other first question is unmarked.")
    risk_level = forms.ModelChoiceField(queryset=RiskLevel.objects.all(), required=False,
                                        empty_label="Choose a risk level…")
    route = forms.ChoiceField(choices=[("", "Choose a route…"), *Route.choices], required=False,
                              help_text="Who takes the call.")
    actions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What to do and document.")

    def __init__(self, *args, version: ProtocolVersion, node: Node | None = None, submit_label: str = "Save",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_level"].queryset = self.fields["risk_level"].queryset.filter(version=version)
        if node is not None:
            del self.fields["kind"]  # a node keeps its kind; delete it and add another instead
            if node.kind == NodeKind.QUESTION:
                for name in ("risk_level", "route", "actions"):
                    del self.fields[name]
            else:
                del self.fields["is_root"]
        self.helper = _helper(submit_label)
        parts = [InlineRadios("kind")] if "kind" in self.fields else []
        parts += [name for name in ("text", "guidance", "is_root") if name in self.fields]
        outcome = [name for name in ("risk_level", "route", "actions") if name in self.fields]
        if outcome:
            legend = "Outcome" if node is not None else "For an outcome only (ignored for a question)"
            self.helper.layout = Layout(*parts, Fieldset(legend, *outcome, css_class="border rounded p-3 mb-3"))
        else:
            self.helper.layout = Layout(*parts)

    @staticmethod
    def initial_for(node: Node) -> dict:
        return {"text": node.text, "guidance": node.guidance, "is_root": node.is_root,
                "risk_level": node.risk_level_id, "route": node.route, "actions": node.actions}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind", NodeKind.QUESTION) == NodeKind.OUTCOME:
            cleaned["is_root"] = False
        return cleaned


class OptionForm(WorkgroupScopedFormMixin, Form):
    """An answer: its label, where it leads, and the criteria it settles (``cleaned_data["criteria"]``)."""

    label = forms.CharField(max_length=200, help_text="The answer as the call-taker would record it.")
    next_node = forms.ModelChoiceField(queryset=Node.objects.all(), label="Then go to",
                                       empty_label="Choose the next step…")

    def __init__(self, *args, node: Node, submit_label: str = "Save answer", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["next_node"]
        field.queryset = field.queryset.filter(version_id=node.version_id).exclude(pk=node.pk).order_by("order", "pk")
        # Grouped choices; ModelChoiceField still validates against the (scoped) queryset.
        nodes = list(field.queryset.only("pk", "kind", "text"))
        field.choices = [
            ("", field.empty_label),
            ("Questions", [(n.pk, n.text) for n in nodes if n.kind == NodeKind.QUESTION]),
            ("Outcomes", [(n.pk, n.text) for n in nodes if n.kind == NodeKind.OUTCOME]),
        ]
        self.criteria = list(node.version.criteria.order_by("order", "label"))
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.key}"] = forms.ChoiceField(
                choices=CRITERION_CHOICES, required=False, label=criterion.label,
            )
        self.helper = _helper(submit_label)

    @staticmethod
    def initial_for(option: Option) -> dict:
        initial = {"label": option.label, "next_node": option.next_node_id}
        for key, value in (option.criteria or {}).items():
            initial[f"criterion_{key}"] = "yes" if value else "no"
        return initial

    def clean(self):
        cleaned = super().clean()
        criteria = {}
        for criterion in self.criteria:
            value = cleaned.pop(f"criterion_{criterion.key}", "")
            if value:
                criteria[criterion.key] = value == "yes"
        cleaned["criteria"] = criteria
        return cleaned


class OptionMoveForm(Form):
    """The ↑ and ↓ buttons next to an answer; ``cleaned_data["offset"]`` is -1 or +1."""

    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    def clean(self):
        cleaned = super().clean()
        if "direction" in cleaned:
            cleaned["offset"] = -1 if cleaned.pop("direction") == "up" else 1
        return cleaned


class RiskLevelForm(Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    default_response = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responder_types = forms.CharField(max_length=300, required=False,
                                      help_text="Who responds, separated by semicolons.")
    colour = forms.RegexField(regex=r"^#[0-9a-fA-F]{6}$", initial="#6c757d",
                              widget=forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
                              error_messages={"invalid": "Use a colour like #1f77b4."},
                              help_text="Pick a colour that stays distinct for people with colour-blindness.")

    def __init__(self, *args, submit_label: str = "Save risk level", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


# --- Scenarios -------------------------------------------------------------------------------

ANSWER_PREFIX = "answer__"
NO_ANSWER = "—"


class ScenarioForm(Form):
    """A scenario without JSON: one select per question of the version, and the expected outcome.

    ``cleaned_data`` holds ``name``, ``answers`` ({question key: answer label}), ``expected_risk_level``
    and ``expected_route``: what ``services.scenario_save`` takes.
    """

    name = forms.CharField(max_length=200, help_text="Describe the call in a few words, e.g. “Parent worried, "
                                                     "son escalating at home”.")
    expected_risk_level = forms.ChoiceField(label="Expected risk level")
    expected_route = forms.ChoiceField(label="Expected route", choices=Route.choices)

    def __init__(self, *args, version: ProtocolVersion, submit_label: str = "Save scenario", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_risk_level"].choices = list(
            version.risk_levels.order_by("order", "name").values_list("key", "name"))
        self.question_keys = []
        questions = version.nodes.filter(kind=NodeKind.QUESTION).prefetch_related("options").order_by("order", "pk")
        for node in questions:
            name = ANSWER_PREFIX + node.key
            self.question_keys.append((name, node.key))
            labels = [option.label for option in node.options.all()]
            self.fields[name] = forms.ChoiceField(
                label=node.text, required=False, choices=[("", NO_ANSWER)] + [(label, label) for label in labels],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict:
        initial = {"name": scenario.name, "expected_risk_level": scenario.expected_risk_level,
                   "expected_route": scenario.expected_route}
        initial.update({ANSWER_PREFIX + key: label for key, label in scenario.answers.items()})
        return initial

    def answer_fields(self):
        return [self[name] for name, _key in self.question_keys]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for name, key in self.question_keys:
            label = cleaned.pop(name, "")
            if label:
                answers[key] = label
        if not answers:
            raise ValidationError("Choose at least one answer: start with the first question and follow the path.")
        cleaned["answers"] = answers
        return cleaned


# --- Workflow --------------------------------------------------------------------------------


class ApprovalForm(WorkgroupScopedFormMixin, Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label="Partner organization",
        help_text="Organizations come from this workgroup's partner map.",
    )
    approved_on = forms.DateField(label="Approved on", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="The date the organization gave its approval.")

    def __init__(self, *args, version: ProtocolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        already = version.approvals.filter(organization__isnull=False).values("organization")
        # The partner map's own scoped list; the mixin has already limited the field to this workgroup.
        self.fields["organization"].queryset = organization_list(workgroup=self.workgroup).exclude(pk__in=already)
        self.fields["approved_on"].initial = timezone.localdate()
        self.helper = _helper("Record approval")

    def clean_approved_on(self):
        approved_on = self.cleaned_data["approved_on"]
        if approved_on > timezone.localdate():
            raise ValidationError("The approval date cannot be in the future.")
        return approved_on


class NewDraftForm(Form):
    change_summary = forms.CharField(label="What will change? (optional)", max_length=300, required=False,
                                     help_text="A sentence for the version history.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Start the new draft")


# --- JSON exchange ---------------------------------------------------------------------------


class ImportUploadForm(Form):
    """The upload of a protocol file. A clean form holds the parsed file in ``cleaned_data["parsed"]``;
    every problem in the file is one error of the form (its non-field errors), nothing is written."""

    file = forms.FileField(label="Protocol JSON file",
                           widget=forms.FileInput(attrs={"accept": ".json,application/json"}))
    name = forms.CharField(label="Name for the imported protocol", required=False, max_length=200,
                           help_text="Leave empty to use the name in the file.")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.pop("file", None)
        if upload is None:
            return cleaned
        # One byte past the limit is enough to know a file is too big without reading all of it.
        parsed = jsonio.parse(upload.read(jsonio.MAX_BYTES + 1))
        if parsed.errors:
            raise ValidationError([ValidationError(message, code="file") for message in parsed.errors])
        cleaned["parsed"] = parsed
        cleaned["name"] = cleaned.get("name") or None
        return cleaned
