"""An agreement version as finished text: placeholders filled, conditions applied, HTML cleaned.

``RenderedAgreement`` is plain data; the web page, the DOCX and the PDF exports all start from
it, so a version always reads the same everywhere and every export of it is reproducible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

from agreements.placeholders import render
from agreements.sanitize import clean_html
from agreements.variables import BOOL, CHOICE, display_value, join_names
from toolkit.text import xml_safe


@dataclass(frozen=True)
class RenderedParty:
    name: str
    signatory_name: str = ""
    signatory_title: str = ""
    signed_on: str = ""  # ISO date, "" when not signed


@dataclass(frozen=True)
class RenderedClause:
    key: str
    number: int
    title: str
    html: str  # cleaned HTML: p, ol, ul, li, strong, em, b, i, br only


@dataclass(frozen=True)
class RenderedAgreement:
    title: str
    kind_label: str
    workgroup_name: str
    version_number: int
    status_label: str
    is_executed: bool
    parties: tuple[RenderedParty, ...]
    clauses: tuple[RenderedClause, ...]
    variables: dict[str, str] = field(default_factory=dict)  # display values, for a summary table
    # Approved (and not yet executed): a clean copy for signature, without the DRAFT mark.
    is_approved: bool = False
    # Where the text came from, stamped into the DOCX so an edited copy can be traced back to its agreement
    # and version (agreements.word); "" for a text that is not a saved version.
    reference: str = ""

    @property
    def for_signature(self) -> bool:
        """Approved or executed: exports carry no DRAFT mark."""
        return self.is_approved or self.is_executed


@dataclass(frozen=True)
class VariableSpec:
    name: str
    label: str
    type: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClauseText:
    key: str
    title: str
    body: str  # the agreement's own (possibly edited) clause text, with placeholders
    condition: str = ""


def flags_for(variables: list[VariableSpec], stored: dict[str, str], *, has_substance_use_provider: bool) -> dict:
    flags: dict[str, bool | str] = {"has_substance_use_provider": has_substance_use_provider}
    for variable in variables:
        value = stored.get(variable.name, "")
        if variable.type == BOOL:
            flags[variable.name] = value == "yes"
        elif variable.type == CHOICE:
            flags[variable.name] = value
    return flags


def values_for(variables: list[VariableSpec], stored: dict[str, str], *, title: str, workgroup_name: str,
               workgroup_jurisdiction: str, party_names: list[str]) -> dict[str, str]:
    values = {
        "agreement.title": title,
        "workgroup.name": workgroup_name,
        "workgroup.jurisdiction": workgroup_jurisdiction,
        "parties": join_names(party_names),
        "party_count": str(len(party_names)),
    }
    for variable in variables:
        values[variable.name] = display_value(variable.type, stored.get(variable.name, ""))
    return values


def render_clauses(clauses: list[ClauseText], *, values: dict[str, str], flags: dict) -> tuple[RenderedClause, ...]:
    """Apply each clause's condition, fill placeholders, clean the result (again: defence in depth).

    ``xml_safe`` on the way in (nh3 cannot even encode a lone surrogate) and on the way out (nh3 turns a
    character reference such as ``&#1;`` back into the control character it names).
    """
    rendered = []
    for clause in clauses:
        if clause.condition and not flags.get(clause.condition):
            continue
        html = xml_safe(clean_html(render(clean_html(xml_safe(clause.body)), values=values, flags=flags)))
        rendered.append(RenderedClause(clause.key, len(rendered) + 1, clause.title, html))
    return tuple(rendered)


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|ol|ul)>|<br\s*/?>")


def plain_text(html: str) -> str:
    """Clause HTML as plain text (one line per paragraph or list item), for redlines and DOCX runs."""
    text = _BLOCK_END.sub("\n", html)
    text = _TAG.sub("", text)
    return "\n".join(line.strip() for line in unescape(text).splitlines() if line.strip())
