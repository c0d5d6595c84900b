"""Every partner map page runs the same number of queries for 3 organizations as for 30 (and the
dashboard card too): no query per row, and no list that grows without a page or a summary."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import (
    Contact,
    EngagementStatus,
    InteropFunction,
    Organization,
    RaciAssignment,
    RaciRole,
    Sector,
)
from partners.selectors import dashboard_card
from toolkit.models import Membership

BASE = "/w/riverbend/partners"
STATUSES = [EngagementStatus.ENGAGED, EngagementStatus.INVITED, EngagementStatus.CHAMPION, EngagementStatus.INACTIVE]


def _populate(workgroup, count: int, *, contacts: int = 2, start: int = 0) -> list[Organization]:
    """``count`` organizations across sectors, statuses and quadrants, each with contacts and RACI roles."""
    sectors = list(Sector.objects.filter(workgroup=workgroup))
    functions = list(InteropFunction.objects.filter(workgroup=workgroup))
    organizations = []
    for n in range(start, start + count):
        organization = Organization.objects.create(
            workgroup=workgroup, name=f"Partner {n:03d}", sector=sectors[n % len(sectors)], org_type="provider",
            engagement_status=STATUSES[n % len(STATUSES)], influence=1 + n % 5, interest=1 + (n // 5) % 5,
        )
        for c in range(contacts):
            Contact.objects.create(workgroup=workgroup, organization=organization, name=f"Person {n}-{c}",
                                   email=f"p{n}-{c}@partner.test", is_primary=c == 0)
        for f, function in enumerate(functions[:3]):
            RaciAssignment.objects.create(workgroup=workgroup, function=function, organization=organization,
                                          role=RaciRole.values[(n + f) % 4])
        organizations.append(organization)
    return organizations


def _count(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    ("", {}),
    ("organizations/", {}),
    ("organizations/", {"q": "partner person", "status": "engaged", "quadrant": "monitor"}),
    ("organizations/", {"page": "2"}),
    ("coverage/", {}),
    ("grid/", {}),
    ("grid/", {"quadrant": "manage_closely", "inactive": "1"}),
    ("grid.svg", {}),
    ("raci/", {}),
    ("raci/", {"page": "2"}),
    ("sectors/", {}),
    ("export.csv", {}),
    ("organizations/new/", {}),
]


@pytest.mark.parametrize(("path", "params"), PAGES)
def test_a_page_runs_as_many_queries_for_30_organizations_as_for_3(client, coordinator, workgroup, path, params):
    client.force_login(coordinator)
    _populate(workgroup, 3)
    client.get(f"{BASE}/{path}", params)  # the session is warm
    few = _count(client, f"{BASE}/{path}", **params)

    _populate(workgroup, 27, start=3)

    assert Organization.objects.filter(workgroup=workgroup).count() == 30
    assert _count(client, f"{BASE}/{path}", **params) == few


@pytest.mark.parametrize("path", ["organizations/{org}/", "organizations/{org}/edit/",
                                  "organizations/{org}/delete/", "organizations/{org}/contacts/new/"])
def test_an_organization_page_runs_as_many_queries_for_30_contacts_as_for_3(client, coordinator, workgroup, path):
    client.force_login(coordinator)
    few_org, many_org = _populate(workgroup, 1, contacts=3)[0], _populate(workgroup, 1, contacts=30, start=1)[0]
    many_org.name = "Many contacts"
    many_org.save()  # and a longer history

    few = _count(client, f"{BASE}/{path.format(org=few_org.pk)}")
    many = _count(client, f"{BASE}/{path.format(org=many_org.pk)}")

    assert many == few


def test_the_dashboard_card_runs_as_many_queries_for_30_organizations_as_for_3(coordinator, workgroup):
    membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=workgroup)
    _populate(workgroup, 3)
    with CaptureQueriesContext(connection) as few:
        dashboard_card(workgroup=workgroup, membership=membership)
    _populate(workgroup, 30, start=3)

    with CaptureQueriesContext(connection) as many:
        card = dashboard_card(workgroup=workgroup, membership=membership)

    assert len(many) == len(few) <= 5
    assert card.status.startswith("33 organizations")


def test_the_raci_cell_answer_runs_as_many_queries_for_30_organizations_as_for_3(client, coordinator, workgroup):
    client.force_login(coordinator)
    function = InteropFunction.objects.filter(workgroup=workgroup).first()

    def post(organization) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"{BASE}/raci/cell/", {"function": function.pk, "organization": organization.pk,
                                                          "role": "R"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(captured)

    few = post(_populate(workgroup, 3)[0])
    many = post(_populate(workgroup, 27, start=3)[1])

    assert many == few


def test_no_partner_page_writes_anything_on_get(client, coordinator, workgroup):
    """Reads never write: not the defaults, not anything else."""
    client.force_login(coordinator)
    organization = _populate(workgroup, 4)[0]
    tables = [Organization, Contact, Sector, InteropFunction, RaciAssignment]
    before = {model: sorted(model.objects.values_list("pk", "updated_at")) for model in tables}
    history = {model: model.history.count() for model in tables}

    for path, params in PAGES:
        client.get(f"{BASE}/{path}", params)
    for path in ("organizations/{org}/", "organizations/{org}/edit/", "organizations/{org}/delete/"):
        client.get(f"{BASE}/{path.format(org=organization.pk)}")

    assert {model: sorted(model.objects.values_list("pk", "updated_at")) for model in tables} == before
    assert {model: model.history.count() for model in tables} == history
