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
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Organization
from partners.selectors import organization_list
from toolkit.forms import Form, WorkgroupScopedFormMixin
from triage import jsonio, services
from triage.models import (
    Decision,
    Line,
    Node,
    NodeKind,
    Option,
    ProtocolVersion,
    RiskLevel,
    Route,
    RuleKind,
    SafetyRule,
    Scenario,
)

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
    is_root = forms.BooleanField(required=False, label="This is a first question",
                                 help_text="Calls start here; another first question for the same line is unmarked.")
    entry_line = forms.ChoiceField(
        choices=[("", "Either line (the tree has one first question)"), *Line.choices], required=False,
        label="First question for calls arriving on",
        help_text="A protocol with its own path for each line has one first question per line.",
    )
    risk_level = forms.ModelChoiceField(queryset=RiskLevel.objects.all(), required=False,
                                        empty_label="Choose a risk level…")
    route = forms.ChoiceField(choices=[("", "Choose a route…"), *Route.choices], required=False,
                              help_text="Who takes the call.")
    actions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What to do and document.")
    codes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Partners' codes",
        help_text="One per line, “system: code”, e.g. “Metro PSAP CAD disposition: BH-988” or “988 center "
                  "disposition: D-12”, so each partner can map this outcome onto the system it runs.",
    )

    def __init__(self, *args, version: ProtocolVersion, node: Node | None = None, submit_label: str = "Save",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_level"].queryset = self.fields["risk_level"].queryset.filter(version=version)
        if node is not None:
            del self.fields["kind"]  # a node keeps its kind; delete it and add another instead
            if node.kind == NodeKind.QUESTION:
                for name in ("risk_level", "route", "actions", "codes"):
                    del self.fields[name]
            else:
                del self.fields["is_root"]
                del self.fields["entry_line"]
        self.helper = _helper(submit_label)
        parts = [InlineRadios("kind")] if "kind" in self.fields else []
        parts += [name for name in ("text", "guidance", "is_root", "entry_line") if name in self.fields]
        outcome = [name for name in ("risk_level", "route", "actions", "codes") if name in self.fields]
        if outcome:
            legend = "Outcome" if node is not None else "For an outcome only (ignored for a question)"
            self.helper.layout = Layout(*parts, Fieldset(legend, *outcome, css_class="border rounded p-3 mb-3"))
        else:
            self.helper.layout = Layout(*parts)

    @staticmethod
    def initial_for(node: Node) -> dict:
        return {"text": node.text, "guidance": node.guidance, "is_root": node.is_root, "entry_line": node.entry_line,
                "risk_level": node.risk_level_id, "route": node.route, "actions": node.actions,
                "codes": "\n".join(f"{item['system']}: {item['code']}" for item in node.codes
                                   if isinstance(item, dict) and "system" in item and "code" in item)}

    def clean_codes(self) -> list[dict[str, str]]:
        codes, errors = [], []
        for number, line in enumerate(self.cleaned_data.get("codes", "").splitlines(), start=1):
            if not line.strip():
                continue
            system, colon, code = line.partition(":")
            system, code = " ".join(system.split()), code.strip()
            if not colon or not system or not code:
                errors.append(f"Line {number}: write the system, a colon, then the code (“CAD disposition: BH-988”).")
            elif len(system) > jsonio.MAX_CODE_SYSTEM or len(code) > jsonio.MAX_CODE:
                errors.append(f"Line {number}: keep the system under {jsonio.MAX_CODE_SYSTEM} characters and the "
                              f"code under {jsonio.MAX_CODE}.")
            elif {"system": system, "code": code} in codes:
                errors.append(f"Line {number}: “{system}: {code}” is listed twice.")
            else:
                codes.append({"system": system, "code": code})
        if len(codes) > jsonio.MAX_CODES:
            errors.append(f"List at most {jsonio.MAX_CODES} codes for one outcome.")
        if errors:
            raise ValidationError(errors)
        return codes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind", NodeKind.QUESTION) == NodeKind.OUTCOME:
            cleaned["is_root"] = False
            cleaned["entry_line"] = ""
        elif "kind" in cleaned:  # a new question: outcome fields are ignored
            cleaned["codes"] = []
        if not cleaned.get("is_root") and "entry_line" in cleaned:
            cleaned["entry_line"] = ""
        return cleaned


class OptionForm(WorkgroupScopedFormMixin, Form):
    """An answer: its label, where it leads, and the criteria it settles (``cleaned_data["criteria"]``)."""

    label = forms.CharField(max_length=200, help_text="The answer as the call-taker would record it.")
    next_node = forms.ModelChoiceField(queryset=Node.objects.all(), label="Then go to", required=False,
                                       empty_label="Choose the next step…")
    new_step = forms.ChoiceField(
        choices=[("", "—"), (NodeKind.QUESTION, "A new question"), (NodeKind.OUTCOME, "A new outcome")],
        required=False, label="…or add a new step after this answer",
        help_text="Leave “Then go to” empty and the next page adds the step, listed right after this question.",
    )

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
        # Not a service argument: the view reads it to open the new step's form once the answer is saved.
        self.new_step = cleaned.pop("new_step", "")
        if cleaned.get("next_node") and self.new_step:
            self.add_error("new_step", "Choose either an existing step or a new one, not both.")
        elif "next_node" in cleaned and not cleaned.get("next_node") and not self.new_step:
            self.add_error("next_node", "Choose the next step, or add a new one.")
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


class CriterionForm(Form):
    label = forms.CharField(max_length=120, help_text="A yes/no fact about the call, e.g. “The person is under 18”. "
                                                      "Answers say yes or no to it; safety rules speak of it.")

    def __init__(self, *args, submit_label: str = "Save criterion", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_label(self) -> str:
        return self.cleaned_data["label"].strip()


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
    line = forms.ChoiceField(label="The call arrives on", required=False,
                             choices=[("", "Either line (the tree has one first question)"), *Line.choices])
    expected_risk_level = forms.ChoiceField(label="Expected risk level", required=False)
    expected_route = forms.ChoiceField(label="Expected route", choices=Route.choices)

    def __init__(self, *args, version: ProtocolVersion, submit_label: str = "Save scenario", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_risk_level"].choices = [
            *version.risk_levels.order_by("order", "name").values_list("key", "name"),
            ("", "None: the call is outside the protocol"),
        ]
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
                   "expected_route": scenario.expected_route, "line": scenario.line}
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
        if not cleaned.get("expected_risk_level") and cleaned.get("expected_route") not in (None, Route.OUT_OF_SCOPE):
            self.add_error("expected_risk_level", "Choose the risk level: only a call outside the protocol has none.")
        return cleaned


# --- Workflow --------------------------------------------------------------------------------


class ApprovalForm(WorkgroupScopedFormMixin, Form):
    """One listed partner's decision; ``cleaned_data`` is what ``services.approval_record`` takes."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label="Partner organization", empty_label="Choose a partner…",
        help_text="The partners listed to sign this version that have not decided yet.",
    )
    decision = forms.ChoiceField(choices=Decision.choices, initial=Decision.APPROVED, widget=forms.RadioSelect,
                                 label="Decision")
    approver_name = forms.CharField(max_length=200, label="Approved by (name)",
                                    help_text="The person who gave the organization's decision.",
                                    error_messages={"required": services.MSG_APPROVER_NAME})
    approver_title = forms.CharField(max_length=200, required=False, label="Their title",
                                     help_text="For example Director, or PSAP Manager.")
    approved_on = forms.DateField(label="Date of the decision", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note",
                           help_text="Required when the partner declines: what it needs changed.")

    def __init__(self, *args, version: ProtocolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        listed = version.signatories.filter(organization__isnull=False).values("organization")
        decided = version.approvals.filter(organization__isnull=False).values("organization")
        # The partner map's own scoped list; the mixin has already limited the field to this workgroup.
        self.fields["organization"].queryset = (organization_list(workgroup=self.workgroup).prefetch_related(None)
                                                .filter(pk__in=listed).exclude(pk__in=decided))
        self.fields["approved_on"].initial = timezone.localdate()
        self.helper = _helper("Record decision")
        self.helper.layout = Layout("organization", InlineRadios("decision"), "approver_name", "approver_title",
                                    "approved_on", "note")

    def clean_approved_on(self):
        approved_on = self.cleaned_data["approved_on"]
        if approved_on > timezone.localdate():
            raise ValidationError(services.MSG_DECISION_FUTURE)
        return approved_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.DECLINED and not cleaned.get("note") and "note" not in self.errors:
            self.add_error("note", services.MSG_DECLINE_REASON)
        return cleaned


class SignatoryForm(WorkgroupScopedFormMixin, Form):
    """A partner whose sign-off the draft needs; offers the workgroup's organizations not listed yet."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.all(), label="Partner organization",
                                          empty_label="Choose a partner…")

    def __init__(self, *args, version: ProtocolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        listed = version.signatories.filter(organization__isnull=False).values("organization")
        self.fields["organization"].queryset = (organization_list(workgroup=self.workgroup).prefetch_related(None)
                                                .exclude(pk__in=listed))
        self.helper = _helper("Add partner")


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


# --- Safety rules ----------------------------------------------------------------------------

WHEN_PREFIX = "when__"
ANY_LINE = [("", "Every call, whichever line it arrived on"), *Line.choices]


class RuleForm(Form):
    """A safety rule as a structured form. ``cleaned_data`` is exactly ``triage.rules.rule_save``'s keywords;
    the conditions (one select per criterion of the version) become ``when``."""

    name = forms.CharField(max_length=200, help_text="A short name partners will recognise, e.g. “Imminent danger "
                                                     "to self involves 911”.")
    kind = forms.ChoiceField(choices=RuleKind.choices, widget=forms.RadioSelect, label="What the rule promises")
    line = forms.ChoiceField(choices=ANY_LINE, required=False, label="Which calls",
                             help_text="Only for “When these answers are given…”.")
    levels = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                       label="The risk level must be one of")
    routes = forms.MultipleChoiceField(choices=Route.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                       label="Routes")
    criterion = forms.ChoiceField(required=False, label="The criterion every such path must record")
    criterion_yes = forms.BooleanField(required=False, label="…and the answer must be yes",
                                       help_text="Leave unticked when recording the answer either way is enough.")

    def __init__(self, *args, version: ProtocolVersion, submit_label: str = "Save rule", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].choices = list(version.risk_levels.order_by("order", "name").values_list("key", "name"))
        self.criteria = list(version.criteria.order_by("order", "label").values_list("key", "label"))
        self.fields["criterion"].choices = [("", "Choose a criterion…"), *self.criteria]
        for key, label in self.criteria:
            self.fields[WHEN_PREFIX + key] = forms.ChoiceField(choices=CRITERION_CHOICES, required=False, label=label)
        self.helper = _helper(submit_label)
        conditions = [WHEN_PREFIX + key for key, _ in self.criteria]
        box = "border rounded p-3 mb-3"

        def legend(text: str) -> str:  # crispy renders legends as given: our constant text, smaller than a heading
            return f'<span class="fs-6 fw-semibold">{text}</span>'

        self.helper.layout = Layout(
            "name", "kind",
            Fieldset(legend("Conditions: the answers the rule is about (“When…”: all of them; “Only when…”: at "
                            "least one)"),
                     *[Row(*[Column(name, css_class="col-md-6") for name in conditions[i:i + 2]])
                       for i in range(0, len(conditions), 2)], css_class=box),
            Fieldset(legend("Then (for “When these answers are given…”)"), "line", "levels", css_class=box),
            Fieldset(legend("Routes (for every kind: the routes allowed, or the routes the rule is about)"), "routes",
                     css_class=box),
            Fieldset(legend("Record (for “Paths to these routes must record…”)"), "criterion", "criterion_yes",
                     css_class=box),
        )

    @staticmethod
    def initial_for(rule: SafetyRule) -> dict:
        initial = {"name": rule.name, "kind": rule.kind, "line": rule.line, "levels": list(rule.levels),
                   "routes": list(rule.routes), "criterion": rule.criterion, "criterion_yes": rule.criterion_yes}
        for key, value in (rule.when or {}).items():
            initial[WHEN_PREFIX + key] = "yes" if value else "no"
        return initial

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        when = {}
        for key, _label in self.criteria:
            value = cleaned.pop(WHEN_PREFIX + key, "")
            if value:
                when[key] = value == "yes"
        cleaned["when"] = when
        kind = cleaned.get("kind")
        if kind == RuleKind.OUTCOME_WHEN:
            if not when:
                self.add_error(None, "Choose at least one condition: the answers the rule is about.")
            if not cleaned.get("levels") and not cleaned.get("routes"):
                self.add_error("levels", "Tick the risk levels allowed, the routes allowed, or both.")
        elif kind == RuleKind.ROUTE_ONLY_WHEN:
            if not when:
                self.add_error(None, "Choose at least one condition: the answers that allow these routes.")
            if not cleaned.get("routes"):
                self.add_error("routes", "Tick the routes the rule is about.")
        elif kind == RuleKind.ROUTE_RECORDS:
            if not cleaned.get("routes"):
                self.add_error("routes", "Tick the routes the rule is about.")
            if not cleaned.get("criterion"):
                self.add_error("criterion", "Choose the criterion every such path must record.")
        return cleaned
