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
                  "dispute", "termination", "review", "signature", "memorandum",
                  "appropriation", "governing law", "notices", "public records", "immunities", "limited data set",
                  "qualified service organization"):
        assert topic in titles, topic


ALL = {template.key for template in defaults.TEMPLATES}
# The public-sector terms a county attorney looks for (issue 14, item 6), and the templates that carry each.
PUBLIC_SECTOR_TERMS = {
    "mou-not-binding": {"mou"},  # an MOA, a service or a data sharing agreement is meant to bind
    "funding-appropriation": ALL - {"mou"},  # the MOU commits no funds at all
    "governing-law": ALL,
    "notices": ALL,
    "public-records": ALL,
    "immunities": ALL,
    "indemnification": {"moa", "service"},
    "limited-data-set": {"data-sharing"},
    "part2-qso": {"data-sharing", "service"},
}


@pytest.mark.parametrize(("key", "templates"), PUBLIC_SECTOR_TERMS.items(), ids=list(PUBLIC_SECTOR_TERMS))
def test_each_public_sector_term_has_guidance_for_counsel_and_sits_in_the_right_templates(key, templates):
    clause = CLAUSES[key]

    assert {t.key for t in defaults.TEMPLATES if key in t.clauses} == templates
    assert "counsel" in clause.guidance and "Source:" in clause.guidance
    assert "starting point for partners and counsel" in clause.guidance


@pytest.mark.parametrize("clause", defaults.CLAUSES, ids=lambda c: c.key)
def test_every_default_clause_tells_the_drafter_why_it_matters_and_where_it_comes_from(clause):
    assert len(clause.guidance) > 200 and "Source:" in clause.guidance


def test_no_template_carries_a_not_legal_advice_clause_the_notice_is_on_the_paper_instead():
    in_templates = {key for template in defaults.TEMPLATES for key in template.clauses}

    assert "no-legal-advice" not in CLAUSES
    assert [key for key in in_templates if "legal advice" in (CLAUSES[key].title + CLAUSES[key].body).lower()] == []


def test_part_2_terms_are_included_only_when_a_party_runs_a_substance_use_disorder_program():
    assert CLAUSES["part2-qso"].condition == CLAUSES["part2-records"].condition == "has_substance_use_provider"
    assert CLAUSES["limited-data-set"].condition == "shares_limited_data_set"


def test_the_citations_are_the_ones_the_rules_use():
    assert "45 CFR 164.514(e)" in CLAUSES["limited-data-set"].body
    assert "42 CFR 2.11" in CLAUSES["part2-qso"].body and "42 CFR 2.12" in CLAUSES["part2-qso"].guidance


@pytest.mark.parametrize("template", defaults.TEMPLATES, ids=lambda t: t.key)
def test_every_variable_fits_the_template_variable_columns(template):
    for variable in template.variables:
        assert len(variable.label) <= 200 and len(variable.help) <= 300 and len(variable.default) <= 500
        assert variable.type != "choice" or variable.default in variable.choices
