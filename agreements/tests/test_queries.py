"""Query counts never grow with rows: every agreements page, export and the dashboard card, with 3 and 30.

Each page reads the membership once (``workgroup_view``); everything after it reuses that read.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import Agreement, AgreementTemplate
from agreements.selectors import dashboard_card
from partners.tests.factories import ContactFactory, OrganizationFactory
from toolkit.models import Membership

pytestmark = pytest.mark.django_db

BASE = "/w/riverbend/agreements"
FEW, MANY = 3, 30


@pytest.fixture
def mou_template(workgroup):
    services.library_ensure_defaults(workgroup=workgroup)
    return AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")


def _agreement(workgroup, coordinator, legal_reviewer, template, n: int, *, title: str) -> Agreement:
    """An agreement with ``n`` parties (each with a contact), ``n`` versions and ``n`` review comments."""
    organizations = [OrganizationFactory(workgroup=workgroup, name=f"{title} party {i}") for i in range(n)]
    for organization in organizations:
        ContactFactory(organization=organization)
    agreement = services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title=title,
        parties=[{"organization": o, "signatory_name": f"Signer {i}"} for i, o in enumerate(organizations)],
    )
    for number in range(1, n):
        services.agreement_save(actor=coordinator, agreement=agreement, base_version_number=number, title=title,
                                variables={}, clause_bodies={"purpose-scope": f"<p>Revision {number}.</p>"},
                                change_summary=f"Round {number}")
    version = agreement.versions.get(number=n)
    for i in range(n):
        comment = services.comment_add(actor=legal_reviewer, version=version,
                                       clause_key=("definitions", "call-transfer")[i % 2], body=f"Comment {i}")
        if i % 3 == 0:
            services.comment_resolve(actor=legal_reviewer, comment=comment)
    agreement.refresh_from_db()
    return agreement


def _queries(client, url: str, expected_status: int = 200) -> tuple[int, int]:
    """(all queries, queries reading the membership) for one GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == expected_status, url
    membership_reads = sum(1 for q in captured if 'from "toolkit_membership"' in q["sql"].lower())
    return len(captured), membership_reads


@pytest.fixture
def pair(workgroup, coordinator, legal_reviewer, mou_template):
    few = _agreement(workgroup, coordinator, legal_reviewer, mou_template, FEW, title="Few")
    many = _agreement(workgroup, coordinator, legal_reviewer, mou_template, MANY, title="Many")
    return few, many


AGREEMENT_PAGES = ["", "edit/", "versions/", "versions/{number}/", "compare/", "compare/?a=1&b={number}",
                   "versions/{number}/export.docx", "versions/{number}/export.pdf"]


@pytest.mark.parametrize("page", AGREEMENT_PAGES)
def test_an_agreements_pages_cost_the_same_with_3_or_30_parties_versions_and_comments(client, coordinator, pair,
                                                                                      page):
    few, many = pair
    client.force_login(coordinator)

    counts = [_queries(client, f"{BASE}/{a.pk}/" + page.format(number=a.current_version_number)) for a in pair]

    assert counts[0] == counts[1], counts
    assert counts[0][1] <= 1, "the membership is read once per request"


def test_the_signature_page_costs_the_same_with_3_or_30_parties(client, coordinator, legal_reviewer, pair):
    for agreement in pair:
        services.agreement_submit(actor=coordinator, agreement=agreement)
        services.agreement_approve(actor=legal_reviewer, agreement=agreement, override_reason="Accepted as is")
    client.force_login(coordinator)

    counts = [_queries(client, f"{BASE}/{a.pk}/signatures/") for a in pair]

    assert counts[0] == counts[1] and counts[0][1] <= 1, counts


def _add_agreements(workgroup, coordinator, template, n: int) -> None:
    organizations = [OrganizationFactory(workgroup=workgroup) for _ in range(3)]
    for i in range(n):
        services.agreement_create(actor=coordinator, workgroup=workgroup, template=template, title=f"MOU {i}",
                                  parties=[{"organization": o} for o in organizations])


@pytest.mark.parametrize("query", ["", "?status=draft", "?party=a", "?page=2"])
def test_the_list_costs_the_same_with_3_or_30_agreements(client, workgroup, coordinator, mou_template, query):
    client.force_login(coordinator)
    _add_agreements(workgroup, coordinator, mou_template, FEW)
    few = _queries(client, f"{BASE}/{query}")
    _add_agreements(workgroup, coordinator, mou_template, MANY - FEW)

    assert _queries(client, f"{BASE}/{query}") == few
    assert few[1] <= 1


def test_the_new_agreement_form_costs_the_same_with_3_or_30_organizations(client, workgroup, coordinator,
                                                                          mou_template):
    client.force_login(coordinator)
    url = f"{BASE}/new/?template={mou_template.pk}"
    for _ in range(FEW):
        ContactFactory(organization=OrganizationFactory(workgroup=workgroup))
    few = _queries(client, url)
    for _ in range(MANY - FEW):
        ContactFactory(organization=OrganizationFactory(workgroup=workgroup))

    assert _queries(client, url) == few
    assert _queries(client, f"{BASE}/new/")[1] <= 1 and _queries(client, f"{BASE}/library/")[1] <= 1


def _approve_protocol_version(coordinator, version, partner) -> None:
    """Submit the version, with ``partner`` listed to sign it (a new draft already lists it), and approve it."""
    from triage import services as triage_services

    if not version.signatories.filter(organization=partner).exists():
        triage_services.signatory_add(actor=coordinator, version=version, organization=partner)
    triage_services.version_submit(actor=coordinator, version=version)
    triage_services.approval_record(actor=coordinator, version=version, organization=partner,
                                    approved_on=date(2026, 1, 1), approver_name="Dana Ortiz")
    triage_services.version_approve(actor=coordinator, version=version)
    triage_services.version_put_in_force(actor=coordinator, version=version)


def test_the_dashboard_card_costs_the_same_with_3_or_30_agreements_comments_and_warnings(
    workgroup, coordinator, legal_reviewer, mou_template
):
    from triage import services as triage_services
    from triage.defaults import EXAMPLE_SCENARIOS

    protocol = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Triage",
                                               scenarios=EXAMPLE_SCENARIOS)
    partner = OrganizationFactory(workgroup=workgroup)
    _approve_protocol_version(coordinator, protocol.versions.get(), partner)
    membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=workgroup)

    def add(n: int) -> None:
        for i in range(n):
            agreement = services.agreement_create(
                actor=coordinator, workgroup=workgroup, template=mou_template, title=f"MOU {i}", protocol=protocol,
                parties=[{"organization": partner}, {"organization": OrganizationFactory(workgroup=workgroup)}])
            services.comment_add(actor=legal_reviewer, version=agreement.versions.get(), clause_key="definitions",
                                 body="?")

    def card_queries() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            card = dashboard_card(workgroup=workgroup, membership=membership)
        return len(captured), card.warnings

    add(FEW)
    _approve_protocol_version(coordinator, triage_services.version_new_draft(
        actor=coordinator, from_version=protocol.versions.get(number=1)), partner)
    few, few_warnings = card_queries()
    add(MANY - FEW)  # saved with the version now in force: no warning for these
    Agreement.objects.filter(workgroup=workgroup).update(protocol_version=None)  # now every one is behind
    many, many_warnings = card_queries()

    assert few == many
    assert len(few_warnings) == FEW
    assert len(many_warnings) == 4 and many_warnings[-1] == "27 more agreements cover a protocol that has a newer " \
                                                             "version in force."
