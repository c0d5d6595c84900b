"""RACI validation: what counts as a problem, and what the matrix selector returns."""

from __future__ import annotations

import pytest

from partners import defaults, selectors, services
from partners.models import EngagementStatus, InteropFunction, Organization, RaciAssignment, RaciRole, Sector

R, A, C, I = RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, RaciRole.CONSULTED, RaciRole.INFORMED  # noqa: E741 (the letters are the names)

NO_A = "No one is accountable (A)."
NO_R = "No one is responsible (R)."


def _organization(workgroup, name: str, status: str = EngagementStatus.ENGAGED) -> Organization:
    return Organization.objects.create(
        workgroup=workgroup,
        name=name,
        sector=Sector.objects.get(workgroup=workgroup, key="mobile-crisis"),
        org_type="provider",
        engagement_status=status,
    )


def _function(workgroup, key: str) -> InteropFunction:
    return InteropFunction.objects.get(workgroup=workgroup, key=key)


def _assign(function: InteropFunction, organization: Organization, role: str) -> None:
    RaciAssignment.objects.create(workgroup=function.workgroup, function=function, organization=organization, role=role)


@pytest.fixture
def partner_map(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    return workgroup


# --- raci_problems ------------------------------------------------------------------


def test_a_function_with_no_roles_lacks_both_accountable_and_responsible():
    assert selectors.raci_problems([]) == [NO_A, NO_R]


def test_a_function_without_an_accountable_organization_is_a_problem():
    assert selectors.raci_problems([R, C, I]) == [NO_A]


def test_a_function_with_two_accountable_organizations_is_a_problem():
    problems = selectors.raci_problems([A, A, R])
    assert problems == ["2 organizations are accountable (A); there must be exactly one."]


def test_a_function_without_a_responsible_organization_is_a_problem():
    assert selectors.raci_problems([A, C, I]) == [NO_R]


def test_one_accountable_and_several_responsible_organizations_is_valid():
    assert selectors.raci_problems([A, R, R, C, I]) == []


def test_an_accountable_organization_alone_leaves_no_one_responsible():
    assert selectors.raci_problems([A]) == [NO_R]


# --- raci_rows ----------------------------------------------------------------------


def test_the_matrix_has_one_row_per_default_function_in_order(partner_map):
    rows = selectors.raci_rows(workgroup=partner_map)

    assert [row.function.key for row in rows] == [f.key for f in defaults.FUNCTIONS]
    assert all(row.problems == [NO_A, NO_R] and row.cells == {} and row.counts == {} for row in rows)
    assert list(selectors.raci_columns(workgroup=partner_map)) == []


def test_the_matrix_reports_cells_counts_and_problems_per_function(partner_map):
    center, psap, mobile = (_organization(partner_map, n) for n in ("988 Center", "County 911", "Mobile Team"))
    receive, transfer = _function(partner_map, "receive-assess"), _function(partner_map, "transfer-911-988")
    _assign(receive, center, A)
    _assign(receive, psap, R)
    _assign(receive, mobile, I)
    _assign(transfer, center, A)
    _assign(transfer, psap, A)

    columns = list(selectors.raci_columns(workgroup=partner_map))
    rows = selectors.raci_rows(workgroup=partner_map, organization_ids=[o.pk for o in columns])
    by_key = {row.function.key: row for row in rows}

    assert columns == [center, psap, mobile]  # by name
    assert by_key["receive-assess"].cells == {center.pk: A, psap.pk: R, mobile.pk: I}
    assert by_key["receive-assess"].problems == []
    assert by_key["receive-assess"].holders == {A: ["988 Center"], R: ["County 911"], I: ["Mobile Team"]}
    assert by_key["transfer-911-988"].counts == {A: 2}
    assert by_key["transfer-911-988"].problems == [
        "2 organizations are accountable (A); there must be exactly one.",
        NO_R,
    ]
    assert by_key["dispatch-mobile-crisis"].cells == {}


def test_cells_are_only_read_for_the_columns_shown_but_counts_cover_everyone(partner_map):
    shown, hidden = _organization(partner_map, "Shown Partner"), _organization(partner_map, "Zz Hidden Partner")
    receive = _function(partner_map, "receive-assess")
    _assign(receive, shown, R)
    _assign(receive, hidden, A)

    row = next(r for r in selectors.raci_rows(workgroup=partner_map, organization_ids=[shown.pk])
               if r.function == receive)

    assert row.cells == {shown.pk: R}
    assert row.counts == {A: 1, R: 1} and row.problems == []  # the A off this page still counts


def test_each_letter_names_the_first_holders_and_counts_the_rest(partner_map):
    receive = _function(partner_map, "receive-assess")
    for n in range(5):
        _assign(receive, _organization(partner_map, f"Informed {n}"), I)

    row = next(r for r in selectors.raci_rows(workgroup=partner_map, names_per_role=3) if r.function == receive)

    assert row.holders[I] == ["Informed 0", "Informed 1", "Informed 2"]
    assert row.counts[I] == 5 and row.more(I) == 2


def test_columns_can_be_one_sectors_organizations(partner_map):
    crisis = _organization(partner_map, "Crisis Line")
    psap = Organization.objects.create(
        workgroup=partner_map, name="County 911", org_type="public_agency",
        sector=Sector.objects.get(workgroup=partner_map, key="911-psap"),
    )

    assert list(selectors.raci_columns(workgroup=partner_map, sector=psap.sector)) == [psap]
    assert crisis in selectors.raci_columns(workgroup=partner_map)


def test_inactive_organizations_are_not_columns(partner_map):
    active = _organization(partner_map, "Active Partner")
    _organization(partner_map, "Former Partner", status=EngagementStatus.INACTIVE)
    identified = _organization(partner_map, "New Partner", status=EngagementStatus.IDENTIFIED)

    assert list(selectors.raci_columns(workgroup=partner_map)) == [active, identified]


def test_roles_held_by_inactive_organizations_do_not_count_towards_the_checks(partner_map):
    responder = _organization(partner_map, "Active Partner")
    former = _organization(partner_map, "Former Partner")
    receive = _function(partner_map, "receive-assess")
    _assign(receive, responder, R)
    _assign(receive, former, A)
    former.engagement_status = EngagementStatus.INACTIVE
    former.save()

    row = next(row for row in selectors.raci_rows(workgroup=partner_map) if row.function == receive)

    # The page shows only the R: the missing A must be reported, not hidden by an invisible column.
    assert row.problems == [NO_A]


def test_another_workgroups_functions_and_assignments_never_appear(partner_map, other_workgroup):
    ours = _organization(partner_map, "Riverbend Crisis Line")
    theirs = _organization(other_workgroup, "Elsewhere Crisis Line")
    _assign(_function(other_workgroup, "receive-assess"), theirs, A)
    _assign(_function(partner_map, "receive-assess"), ours, R)

    rows = selectors.raci_rows(workgroup=partner_map, organization_ids=[ours.pk, theirs.pk])

    assert list(selectors.raci_columns(workgroup=partner_map)) == [ours]
    assert {row.function.workgroup_id for row in rows} == {partner_map.pk}
    assert len(rows) == len(defaults.FUNCTIONS)
    cells = {org_id: role for row in rows for org_id, role in row.cells.items()}
    assert cells == {ours.pk: R}
    receive = next(row for row in rows if row.function.key == "receive-assess")
    assert receive.problems == [NO_A]  # the other workgroup's A does not satisfy ours
