"""Forms for agreements: drafting, review comments, signature dates, the signed copy.

They validate what was typed; services decide and write. Every form inherits the toolkit's ``Form``,
so text passes through the one normaliser (``toolkit.text``); fields added per template variable or
per clause after ``__init__`` get the same treatment through ``_normalise_added_field``.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements import services
from agreements.models import AgreementParty, AgreementStatus, AgreementTemplate, TemplateVariable
from agreements.variables import BOOL, CHOICE, DATE, MONEY, NUMBER, PARTY_LIST, clean_value
from partners.selectors import organization_list
from toolkit.forms import Form, WorkgroupScopedFormMixin
from toolkit.models import Workgroup
from toolkit.text import normalise_text
from triage.selectors import protocol_list

VAR_PREFIX = "var_"
CLAUSE_PREFIX = "clause_"
_YES = {"yes", "true", "1", "on"}


def _normalise_added_field(field: forms.Field) -> forms.Field:
    """The toolkit's ``Form`` wraps the fields it has at ``__init__``; these come later, one per variable or clause."""
    if isinstance(field, forms.CharField):
        to_python = field.to_python
        multiline = isinstance(field.widget, forms.Textarea)

        def normalised(value):
            value = to_python(value)
            return normalise_text(value, multiline=multiline) if isinstance(value, str) else value

        field.to_python = normalised
    return field


class AgreementFilterForm(Form):
    party = forms.CharField(required=False, max_length=200, label="Party")
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *AgreementStatus.choices])


def _variable_field(variable: TemplateVariable) -> forms.Field:
    """One form field per template variable; the value is checked by the same rules the services use."""
    common: dict[str, Any] = {"label": variable.label, "help_text": variable.help, "required": False}
    if variable.type == BOOL:
        return forms.BooleanField(initial=variable.default.strip().lower() in _YES, **common)
    if variable.type == CHOICE:
        choices = [(c, c) for c in variable.choices]
        return forms.ChoiceField(choices=choices, initial=variable.default or None,
                                 **{**common, "required": True})
    if variable.type == DATE:
        widget: forms.Widget = forms.DateInput(attrs={"type": "date"})
    elif variable.type in (NUMBER, MONEY):
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    elif variable.type == PARTY_LIST:
        widget = forms.Textarea(attrs={"rows": 3})
        common["help_text"] = " ".join(filter(None, [variable.help, "One name per line."]))
    else:
        widget = forms.TextInput()
    return forms.CharField(initial=variable.default, widget=widget, strip=True, **common)


class _VariablesMixin:
    """Adds ``var_<name>`` fields for a template and returns their values as the services expect them."""

    def _add_variable_fields(self, variables: list[TemplateVariable], stored: dict[str, str] | None = None) -> None:
        self._variables = variables
        for variable in variables:
            field = _variable_field(variable)
            if stored is not None and variable.name in stored:
                value = stored[variable.name]
                field.initial = (value == "yes") if variable.type == BOOL else value
            self.fields[VAR_PREFIX + variable.name] = _normalise_added_field(field)

    def _clean_variables(self) -> None:
        for variable in self._variables:
            name = VAR_PREFIX + variable.name
            if name not in self.cleaned_data:
                continue
            try:
                clean_value(variable.type, self._raw_variable(variable), choices=tuple(variable.choices),
                            label=variable.label)
            except ValidationError as exc:
                self._add_error_without_label(name, variable, exc)

    def _raw_variable(self, variable: TemplateVariable) -> str:
        value = self.cleaned_data.get(VAR_PREFIX + variable.name)
        if variable.type == BOOL:
            return "yes" if value else "no"
        return value or ""

    def _add_error_without_label(self, name: str, variable: TemplateVariable, exc: ValidationError) -> None:
        # The field shows its label already; "Term (months): “abc” is not a number." reads twice otherwise.
        prefix = f"{variable.label}: "
        self.add_error(name, [m.removeprefix(prefix) for m in exc.messages])

    def variable_values(self) -> dict[str, str]:
        return {v.name: self._raw_variable(v) for v in self._variables}

    def variable_fields(self) -> list[forms.BoundField]:
        return [self[VAR_PREFIX + v.name] for v in self._variables]


class AgreementCreateForm(WorkgroupScopedFormMixin, _VariablesMixin, Form):
    """Title, parties (with signatory and substance-use flag each), protocol and the template's variables.

    The template is chosen on the step before (``?template=``) and travels as a hidden, scoped choice, so
    the variable fields always belong to it. One row per organization of the workgroup: no JavaScript.
    """

    template = forms.ModelChoiceField(queryset=AgreementTemplate.objects.all(), widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    protocol = forms.ModelChoiceField(queryset=None, required=False, label="Triage protocol it covers",
                                      empty_label="None",
                                      help_text="Agreements naming a protocol are flagged when a new version of "
                                                "it comes into force.")
    parties = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": services.MSG_NEEDS_PARTIES})

    def __init__(self, *args: Any, workgroup: Workgroup, template: AgreementTemplate, **kwargs: Any):
        super().__init__(*args, workgroup=workgroup, **kwargs)
        # Organizations and protocols come only through their apps' selectors, already scoped.
        self.organizations = list(organization_list(workgroup=workgroup))
        self.fields["parties"].queryset = organization_list(workgroup=workgroup)
        self.fields["protocol"].queryset = protocol_list(workgroup=workgroup).order_by("name")
        self.fields["template"].initial = template.pk
        self.template = template
        self.party_rows = []
        chosen = {str(value) for value in (self["parties"].value() or [])}
        for org in self.organizations:
            contacts = list(org.contacts.all())
            self.fields[f"signatory_{org.pk}"] = forms.TypedChoiceField(
                required=False, coerce=int, empty_value=None, label=f"Signatory for {org.name}",
                choices=[("", "— to be named —")]
                + [(c.pk, f"{c.name} · {c.title}" if c.title else c.name) for c in contacts],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"substance_{org.pk}"] = forms.BooleanField(
                required=False, label=f"{org.name} provides substance-use services",
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.party_rows.append({"organization": org, "contacts": {c.pk: c for c in contacts},
                                    "checked": str(org.pk) in chosen,
                                    "signatory": self[f"signatory_{org.pk}"],
                                    "substance": self[f"substance_{org.pk}"]})
        self._add_variable_fields(list(template.variables.all()))

    def clean_parties(self):
        parties = self.cleaned_data["parties"]
        if len(parties) < 2:
            raise ValidationError(services.MSG_NEEDS_PARTIES)
        return parties

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if template is not None and template.pk != self.template.pk:
            self.add_error(None, "The template changed while you were filling the form: start again.")
        self._clean_variables()
        return cleaned

    def party_values(self) -> list[dict[str, Any]]:
        chosen = {org.pk for org in self.cleaned_data["parties"]}
        parties = []
        for row in self.party_rows:
            org = row["organization"]
            if org.pk not in chosen:
                continue
            contact = row["contacts"].get(self.cleaned_data.get(f"signatory_{org.pk}"))
            parties.append({
                "organization": org,
                "signatory_name": contact.name if contact else "",
                "signatory_title": contact.title if contact else "",
                "is_substance_use_provider": bool(self.cleaned_data.get(f"substance_{org.pk}")),
            })
        return parties


# Quote marks as editors write them in HTML text; inside [[ ]] the clause language needs the plain character.
_QUOTES = {"&quot;": '"', "&#34;": '"', "&#x22;": '"', "&apos;": "'", "&#39;": "'", "&#x27;": "'"}
_QUOTE_REFERENCE = re.compile("|".join(_QUOTES), re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[\[[^\[\]]{0,200}\]\]")


def unescape_quotes_in_placeholders(text: str) -> str:
    """``[[if x == &quot;y&quot;]]`` (how the clause editor writes a quote) becomes ``[[if x == "y"]]``.

    Only quote references, and only between ``[[`` and ``]]``: everything else stays as typed.
    """
    def unescape(match: re.Match) -> str:
        return _QUOTE_REFERENCE.sub(lambda quote: _QUOTES[quote.group().lower()], match.group())

    return _PLACEHOLDER.sub(unescape, text)


# A paragraph holding nothing but condition markers: the clause editor wraps a condition that stood between two
# paragraphs (``<p>a</p>[[if x]]<p>b</p>[[endif]]``) in paragraphs of its own, which would leave empty paragraphs
# in every document once the condition is applied.
_CONDITION_ONLY_PARAGRAPH = re.compile(
    r"<p>\s*((?:\[\[\s*(?:if\b[^\]]*|endif)\s*\]\]\s*)+)(?:<br\s*/?>)?\s*</p>", re.IGNORECASE)


def unwrap_condition_paragraphs(text: str) -> str:
    """``<p>[[if x]]</p>`` becomes ``[[if x]]``: a condition between paragraphs stays between them."""
    return _CONDITION_ONLY_PARAGRAPH.sub(lambda match: match.group(1).strip(), text)


class AgreementEditForm(_VariablesMixin, Form):
    """Title, change summary, the variables and one field per clause of the latest version.

    Each clause is a textarea of HTML; the page turns it into the clause editor (static/agreements/), which
    writes its HTML back into the same field, so the form works the same with or without JavaScript.
    """

    base_version_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(max_length=200)
    change_summary = forms.CharField(max_length=300, required=False,
                                     help_text="What changed and why, for the reviewers and the version history.")

    def __init__(self, *args: Any, template: AgreementTemplate, clauses: list[dict[str, str]],
                 stored: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.template = template
        self.clauses = clauses
        self._add_variable_fields(list(template.variables.all()), stored)
        for clause in clauses:
            # data-clause-*: the clause editor (static/agreements/clause-editor.js) takes this textarea's place.
            attrs = {"rows": 8, "class": "font-monospace small", "data-clause-editor": clause["key"],
                     "data-clause-title": clause["title"]}
            self.fields[CLAUSE_PREFIX + clause["key"]] = _normalise_added_field(forms.CharField(
                label=clause["title"], initial=clause["body"], required=False, strip=False,
                widget=forms.Textarea(attrs=attrs),
            ))

    def clean(self):
        cleaned = super().clean()
        self._clean_variables()
        for clause in self.clauses:
            name = CLAUSE_PREFIX + clause["key"]
            if cleaned.get(name) is None:
                continue
            cleaned[name] = unwrap_condition_paragraphs(unescape_quotes_in_placeholders(cleaned[name]))
            try:
                services.check_clause_text(cleaned[name], template=self.template)  # problems with line/column
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned

    def clause_rows(self, open_comments: dict[str, list] | None = None) -> list[dict[str, Any]]:
        """One row per clause: its field, the stale-save conflict if any, the open review comments on it, and
        whether the posted text differs from the saved one."""
        conflicts = getattr(self, "conflicts", {})  # set by the view after a refused (stale) save
        open_comments = open_comments or {}
        rows = []
        for clause in self.clauses:
            field = self[CLAUSE_PREFIX + clause["key"]]
            rows.append({"field": field, "clause": clause, "conflict": conflicts.get(clause["key"]),
                         "comments": open_comments.get(clause["key"], []),
                         # posted and refused: the clauses the author changed stay open on the page
                         "edited": self.is_bound and field.value() != clause["body"]})
        return rows

    @staticmethod
    def clause_field_name(key: str) -> str:
        return CLAUSE_PREFIX + key

    def clause_bodies(self) -> dict[str, str]:
        return {c["key"]: self.cleaned_data[CLAUSE_PREFIX + c["key"]] for c in self.clauses}


# --- Review -----------------------------------------------------------------------------------------


class CommentForm(Form):
    """A review comment on one clause of one version (the clause is checked by the service)."""

    clause_key = forms.SlugField(max_length=60, error_messages={"invalid": services.MSG_COMMENT_CLAUSE,
                                                                "required": services.MSG_COMMENT_CLAUSE})
    body = forms.CharField(max_length=5000, strip=True, widget=forms.Textarea,
                           error_messages={"required": services.MSG_COMMENT_EMPTY})
    quote = forms.CharField(max_length=services.QUOTE_MAX, required=False, strip=True,
                            label="The passage it is about (optional)",
                            help_text="Copy the words from the clause, or select them and press “Quote selection”.")


class ReplyForm(Form):
    body = forms.CharField(max_length=5000, strip=True, widget=forms.Textarea(attrs={"rows": 2}), label="Reply",
                           error_messages={"required": services.MSG_REPLY_EMPTY})


class ResolveForm(Form):
    reply = forms.CharField(max_length=5000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2}),
                            label="How it was resolved (optional)")


class RequestChangesForm(Form):
    note = forms.CharField(max_length=5000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3}),
                           label="What should change (optional)",
                           help_text="Sent to the drafters with the notice; the comments per clause stay open.")


class ApproveForm(Form):
    override_reason = forms.CharField(
        max_length=2000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2}),
        label="Why approve with comments still open",
        help_text="Needed only while comments are open; kept with this version's approval.",
    )


class SignatureForm(Form):
    """One optional date per party; an empty date leaves that party's record as it is."""

    def __init__(self, *args: Any, parties, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parties: list[AgreementParty] = list(parties)
        for party in self.parties:
            self.fields[f"party_{party.pk}"] = forms.DateField(
                label=party.name, required=False, initial=party.signed_on,
                widget=forms.DateInput(attrs={"type": "date", "class": "form-control",
                                              "max": timezone.localdate().isoformat()}, format="%Y-%m-%d"),
                help_text=" ".join(filter(None, [party.signatory_name, party.signatory_title])),
            )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for party in self.parties:
            signed_on = cleaned.get(f"party_{party.pk}")
            if signed_on and signed_on > today:
                self.add_error(f"party_{party.pk}", "A signature date cannot be in the future.")
        return cleaned

    def dates(self):
        for party in self.parties:
            signed_on = self.cleaned_data.get(f"party_{party.pk}")
            if signed_on:
                yield party, signed_on


class SignedScanForm(Form):
    file = forms.FileField(label="Signed agreement (PDF)",
                           error_messages={"required": "Choose the signed PDF to upload.",
                                           "empty": "That file is empty: choose the signed PDF to upload."})


class PacketForm(Form):
    """What goes into an agreement packet: which version, and which exhibits and appendices."""

    version = forms.TypedChoiceField(label="Version", coerce=int)
    sections = forms.MultipleChoiceField(
        label="Exhibits and appendices", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The cover, the contents, the agreement and the signature pages are always in the packet.",
    )
    as_zip = forms.BooleanField(
        label="For counsel who redline in Word: a ZIP of the agreement as Word (DOCX) and the rest as PDF",
        required=False,
    )

    def __init__(self, *args: Any, agreement, version_numbers: list[int], section_choices: list[tuple[str, str]],
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = agreement.current_version_number
        self.fields["version"].choices = [
            (number, f"Version {number}" + (" (current)" if number == current else " (superseded)"))
            for number in version_numbers
        ]
        self.fields["sections"].choices = section_choices
