"""The public-sector terms of the default library read right, whatever the drafter chooses, on screen and on paper."""

from __future__ import annotations

import io
import itertools

import pytest
from pypdf import PdfReader

from agreements import defaults, services
from agreements.exports import agreement_pdf
from agreements.models import AgreementTemplate
from agreements.rendering import ClauseText, VariableSpec, flags_for, plain_text, render_clauses, values_for
from agreements.selectors import render_version
from partners.tests.factories import OrganizationFactory
from toolkit.models import JobStatus
from toolkit.services import job_run

CLAUSES = {clause.key: clause for clause in defaults.CLAUSES}
TEMPLATES = {template.key: template for template in defaults.TEMPLATES}
NAME = "988/911 Workgroup"
NOTICE = "Not legal advice, and not part of the terms of this agreement."
FOOTER = "A working text for the parties and their counsel; not legal advice."


def rendered(template_key: str, *, part2: bool = False, workgroup_name: str = NAME, **chosen: str):
    """The template's clauses as an agreement would print them, with its defaults and the values chosen here."""
    template = TEMPLATES[template_key]
    variables = [VariableSpec(v.name, v.label, v.type, v.choices) for v in template.variables]
    stored = {v.name: v.default for v in template.variables} | chosen
    values = values_for(variables, stored, title="County MOU", workgroup_name=workgroup_name,
                        workgroup_jurisdiction="Riverbend County", party_names=["Crisis Line", "County 911"])
    texts = [ClauseText(key, CLAUSES[key].title, CLAUSES[key].body, CLAUSES[key].condition)
             for key in template.clauses]
    clauses = render_clauses(texts, values=values, flags=flags_for(variables, stored,
                                                                   has_substance_use_provider=part2))
    return {clause.key: plain_text(clause.html) for clause in clauses}


def every_choice(template_key: str):
    """Every combination of the template's yes/no and choice variables, with and without a Part 2 program."""
    template = TEMPLATES[template_key]
    options = {v.name: (v.choices if v.type == "choice" else ("yes", "no"))
               for v in template.variables if v.type in ("bool", "choice")}
    for part2 in (False, True):
        for combination in itertools.product(*options.values()):
            yield part2, dict(zip(options, combination, strict=True))


@pytest.mark.parametrize("template_key", TEMPLATES)
def test_no_choice_makes_a_clause_say_workgroup_twice_or_miss_a_value(template_key):
    for part2, chosen in every_choice(template_key):
        text = " ".join(rendered(template_key, part2=part2, **chosen).values())

        assert "workgroup workgroup" not in text.lower(), chosen
        assert "[missing" not in text, chosen


def test_no_default_clause_puts_workgroup_after_the_workgroups_name():
    assert [c.key for c in defaults.CLAUSES if "[[workgroup.name]] workgroup" in c.body.lower()] == []


@pytest.mark.parametrize("template_key", ["moa", "service"])
def test_the_indemnity_choice_gives_a_mutual_indemnity_within_the_law_or_none_at_all(template_key):
    mutual = rendered(template_key, indemnity_approach=defaults.INDEMNITY_MUTUAL)["indemnification"]
    own = rendered(template_key, indemnity_approach=defaults.INDEMNITY_OWN)["indemnification"]

    assert mutual.startswith("To the extent permitted by the law that applies to it, each party will indemnify")
    assert "bound by this clause only within those limits" in mutual and "No party agrees" not in mutual
    assert own.startswith("No party agrees to defend, indemnify or hold harmless any other party.")
    assert "responsible, to the extent the law that applies to it provides, for its own acts" in own
    assert "will indemnify" not in own


def test_public_agencies_start_with_no_indemnity_and_an_outside_provider_with_a_mutual_one():
    approach = {key: {v.name: v.default for v in t.variables}["indemnity_approach"]
                for key, t in TEMPLATES.items() if "indemnification" in t.clauses}

    assert approach == {"moa": defaults.INDEMNITY_OWN, "service": defaults.INDEMNITY_MUTUAL}


def test_a_tribal_party_keeps_its_sovereign_immunity_and_does_not_submit_to_state_courts():
    with_tribe = rendered("moa", tribal_party="yes")
    without = rendered("moa", tribal_party="no")

    assert "The sovereign immunity of each Tribal party" in with_tribe["immunities"]
    assert "Nothing in this agreement is consent by a Tribal party to the jurisdiction" in with_tribe["governing-law"]
    assert "Tribal party" not in without["immunities"] + without["governing-law"]
    assert "state tort claims act" in without["immunities"]  # state and local immunities, always


def test_governing_law_and_venue_are_blanks_to_fill_until_counsel_names_them():
    blank = rendered("moa")["governing-law"]
    named = rendered("moa", governing_state="the State of Washington", venue="the courts of Riverbend County")

    assert "governed by the laws of __________" in blank and "is brought in __________" in blank
    assert "governed by the laws of the State of Washington and by applicable federal law" in named["governing-law"]


def test_notices_go_by_e_mail_only_when_the_parties_allow_it():
    assert "e-mail" in rendered("mou", notices_by_email="yes")["notices"]
    assert "e-mail" not in rendered("mou", notices_by_email="no")["notices"]


def test_the_mou_binds_only_in_the_parts_it_names_and_the_moa_has_no_such_statement():
    mou = rendered("mou")["mou-not-binding"]
    moa = rendered("moa")

    assert ("Except for the clauses on information sharing and confidentiality, substance use disorder records "
            "(where included), data security and breach notice, public records, immunities, notices and governing "
            "law, by which the parties agree to be bound, this agreement is not intended to, and does not, create "
            "legally binding rights or obligations.") in mou
    assert "not a contract" not in mou  # a flat denial would contradict the parts that do bind
    assert "does not commit any party to spend, transfer or seek funds" in mou
    assert "mou-not-binding" not in moa and "funding-appropriation" in moa


def test_the_data_sharing_agreement_carries_the_hipaa_data_use_terms_unless_no_limited_data_set_is_shared():
    terms = rendered("data-sharing")["limited-data-set"]

    assert "45 CFR 164.514(e)" in terms and "this clause is the data use agreement the rule requires" in terms
    assert ("of the individual and of the individual's relatives, employers and household members have been "
            "removed") in terms
    for promise in ("only for joint quality improvement", "does not contact any person it describes",
                    "safeguards", "within 72 hours", "agrees in writing to the same restrictions"):
        assert promise in terms, promise
    assert "limited-data-set" not in rendered("data-sharing", shares_limited_data_set="no")


@pytest.mark.parametrize("template_key", ["data-sharing", "service"])
def test_qualified_service_organization_terms_appear_only_with_a_part_2_program(template_key):
    terms = rendered(template_key, part2=True)["part2-qso"]

    assert "fully bound by 42 CFR Part 2" in terms and "resist in judicial proceedings" in terms
    assert "part2-qso" not in rendered(template_key, part2=False)


# --- On paper -----------------------------------------------------------------------------------------------------


def _agreement(kind: str, workgroup, coordinator):
    workgroup.name = NAME
    workgroup.save(update_fields=["name"])
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind=kind)
    parties = [{"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line (988)"),
                "signatory_name": "Maya Okonkwo", "signatory_title": "Director"},
               {"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")}]
    return services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                     title=f"Riverbend County {template.name}", parties=parties,
                                     variables={"effective_date": "2027-05-01",
                                                "governing_state": "the State of Washington"})


def _pages(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["mou", "data_sharing"])
def test_the_pdf_says_not_legal_advice_on_its_first_page_and_in_every_footer_never_among_the_terms(
        kind, workgroup, coordinator):
    agreement = _agreement(kind, workgroup, coordinator)
    version = render_version(agreement.versions.get())

    pages = _pages(agreement_pdf(version))

    assert NOTICE in pages[0]
    assert len(pages) > 1 and all(FOOTER in page and f"Page {n} of {len(pages)}" in page
                                  for n, page in enumerate(pages, start=1))
    assert pages[0].index(NOTICE) < pages[0].index("Parties")  # above the parties and the terms
    assert NOTICE not in " ".join(pages[1:])
    assert not any("legal advice" in clause.html.lower() for clause in version.clauses)
    assert "workgroup workgroup" not in " ".join(pages).lower()
    assert "governed by the laws of the State of Washington" in " ".join(pages)


@pytest.mark.django_db
def test_the_packet_cover_says_not_legal_advice(workgroup, coordinator):
    agreement = _agreement("data_sharing", workgroup, coordinator)
    packet, _ = services.packet_request(actor=coordinator, agreement=agreement, version=agreement.versions.get(),
                                        sections=["data_sharing"])

    job = job_run(job_id=packet.job_id)

    assert job.status == JobStatus.SUCCEEDED
    with job.result.open("rb") as handle:
        cover = _pages(handle.read())[0]
    assert "Not legal advice, and not part of the terms of the agreement." in cover
