"""Forms for editing triage protocols: they validate and hand cleaned data to triage.services.

Every choice of a node or risk level is limited to the workgroup (WorkgroupScopedFormMixin) and
then to the same version, so a tampered POST naming another version's row is an invalid choice.
"""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from toolkit.forms import WorkgroupScopedFormMixin
from triage.models import Node, NodeKind, ProtocolVersion, RiskLevel, Route

CRITERION_CHOICES = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class ProtocolForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What calls it covers and who agreed to draw it up.")

    def __init__(self, *args, submit_label: str = "Create protocol", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class VersionForm(forms.Form):
    change_summary = forms.CharField(max_length=300, required=False,
                                     help_text="What changed in this version, in a sentence.")
    reassessment_guidance = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=ProtocolVersion._meta.get_field("reassessment_guidance").help_text,
    )

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label)


class NodeForm(WorkgroupScopedFormMixin, forms.Form):
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

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind", NodeKind.QUESTION) == NodeKind.OUTCOME:
            cleaned["is_root"] = False
        return cleaned


class OptionForm(WorkgroupScopedFormMixin, forms.Form):
    label = forms.CharField(max_length=200, help_text="The answer as the call-taker would record it.")
    next_node = forms.ModelChoiceField(queryset=Node.objects.all(), label="Then go to",
                                       empty_label="Choose the next step…")

    def __init__(self, *args, node: Node, submit_label: str = "Save answer", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["next_node"]
        field.queryset = field.queryset.filter(version_id=node.version_id).exclude(pk=node.pk).order_by("order", "pk")
        # Grouped choices; ModelChoiceField still validates against the (scoped) queryset.
        nodes = list(field.queryset)
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
    def initial_for(option) -> dict:
        initial = {"label": option.label, "next_node": option.next_node_id}
        for key, value in (option.criteria or {}).items():
            initial[f"criterion_{key}"] = "yes" if value else "no"
        return initial

    def service_fields(self) -> dict:
        criteria = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"criterion_{criterion.key}")
            if value:
                criteria[criterion.key] = value == "yes"
        return {"label": self.cleaned_data["label"], "next_node": self.cleaned_data["next_node"],
                "criteria": criteria}


class RiskLevelForm(forms.Form):
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
