"""The default clause library and templates speak the clause language and survive the sanitiser."""

from __future__ import annotations

import pytest

from agreements import defaults
from agreements.placeholders import check, used_names
from agreements.sanitize import clean_html

BUILT_IN_VALUES = {"agreement.title", "workgroup.name", "workgroup.jurisdiction", "parties", "party_count"}
BUILT_IN_FLAGS = {"has_substance_use_provider": None}
CLAUSES = {clause.key: clause for clause in defaults.CLAUSES}


def _language(template):
    values = BUILT_IN_VALUES | {v.name for v in template.variables}
    flags = dict(BUILT_IN_FLAGS)
    for variable in template.variables:
        if variable.type == "bool":
            flags[variable.name] = None
        elif variable.type == "choice":
            flags[variable.name] = frozenset(variable.choices)
    return values, flags


@pytest.mark.parametrize("template", defaults.TEMPLATES, ids=lambda t: t.key)
def test_every_clause_of_a_template_checks_clean_and_every_variable_is_used(template):
    values, flags = _language(template)
    used = set()

    for key in template.clauses:
        clause = CLAUSES[key]
        assert check(clause.body, names=values, flags=flags) == [], key
        used |= used_names(clause.body)
        if clause.condition:
            assert clause.condition in flags, key
            used.add(clause.condition)

    assert {v.name for v in template.variables} <= used


@pytest.mark.parametrize("clause", defaults.CLAUSES, ids=lambda c: c.key)
def test_default_clause_text_is_already_clean(clause):
    assert clean_html(clause.body) == clause.body
    assert clause.category in defaults.CATEGORIES


def test_the_five_kinds_of_agreement_and_the_topics_the_issue_names_are_there():
    assert {t.kind for t in defaults.TEMPLATES} == {"mou", "moa", "data_sharing", "service", "mutual_aid"}
    titles = " ".join(c.title.lower() for c in defaults.CLAUSES)
    for topic in ("purpose", "definitions", "roles", "transfer", "decision-point", "confidential", "42 cfr part 2",
                  "breach", "liability", "indemn", "insurance", "performance", "cross-training", "incident",
                  "dispute", "termination", "review", "legal advice", "signature"):
        assert topic in titles, topic
