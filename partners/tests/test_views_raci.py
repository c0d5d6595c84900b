"""The RACI matrix page, its htmx cell editor and the add-function form."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services
from partners.models import EngagementStatus, InteropFunction, Organization, RaciAssignment, Sector

RACI_URL = "/w/riverbend/partners/raci/"
CELL_URL = "/w/riverbend/partners/raci/cell/"
FUNCTION_URL = "/w/riverbend/partners/raci/functions/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _organizations(workgroup, count: int, start: int = 0) -> list[Organization]:
    sector = Sector.objects.get(workgroup=workgroup, key="mobile-crisis")
    return [
        Organization.objects.create(
            workgroup=workgroup,
            name=f"Partner {n:02d}",
            sector=sector,
            org_type="provider",
            engagement_status=EngagementStatus.ENGAGED,
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def partner_map(workgroup, coordinator):
    services.partner_map_create_defaults(workgroup=workgroup)
    sector = Sector.objects.get(workgroup=workgroup, key="mobile-crisis")
    orgs = [
        services.organization_create(
            actor=coordinator, workgroup=workgroup, name=name, sector=sector, org_type="provider"
        )
        for name in ("Riverbend 988 Crisis Center", "Riverbend County 911", "Mobile Crisis Team")
    ]
    return {
        "center": orgs[0],
        "psap": orgs[1],
        "mobile": orgs[2],
        "receive": InteropFunction.objects.get(workgroup=workgroup, key="receive-assess"),
    }


@pytest.fixture
def elsewhere(other_workgroup, outsider):
    services.partner_map_create_defaults(workgroup=other_workgroup)
    sector = Sector.objects.get(workgroup=other_workgroup, key="mobile-crisis")
    return {
        "org": services.organization_create(
            actor=outsider, workgroup=other_workgroup, name="Elsewhere Crisis Line", sector=sector, org_type="provider"
        ),
        "function": InteropFunction.objects.get(workgroup=other_workgroup, key="receive-assess"),
    }


def _cell_post(client, function, organization, role, **extra):
    return client.post(CELL_URL, {"function": function.pk, "organization": organization.pk, "role": role}, **extra)


# --- Reading ------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["viewer", "legal_reviewer", "qa_reviewer"])
def test_readers_see_the_matrix_as_text_without_selects(client, request, partner_map, coordinator, person):
    services.raci_set(actor=coordinator, function=partner_map["receive"], organization=partner_map["center"], role="A")
    client.force_login(request.getfixturevalue(person))

    response = client.get(RACI_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="role"' not in page  # no cell can be changed
    assert "Add a function" not in page
    assert "Receive and assess a crisis call" in page
    assert re.search(r'title="\d+\. Riverbend 988 Crisis Center"', page)  # full name on the column heading
    assert 'title="Accountable: Riverbend 988 Crisis Center">A</abbr>' in page
    assert "9 of 9 functions have problems." in page
    assert "No one is responsible (R)." in page
    assert "R — Responsible:" in page  # the legend


def test_an_editor_sees_a_select_per_cell_and_the_add_function_form(client, member, partner_map):
    client.force_login(member)

    page = client.get(RACI_URL).content.decode()

    assert page.count('hx-post="/w/riverbend/partners/raci/cell/"') == 9 * 3
    assert 'hx-target="closest tr"' in page
    assert 'action="/w/riverbend/partners/raci/functions/new/#raci-add"' in page
    assert "<noscript>" in page  # the fallback form for people without JavaScript


def test_a_viewer_of_a_map_without_organizations_is_told_who_adds_them(client, viewer, workgroup):
    client.force_login(viewer)

    page = client.get(RACI_URL).content.decode()

    assert "No partner organizations yet" in page
    assert "Add an organization" not in page  # viewers cannot add one


def test_a_new_workgroup_starts_with_the_default_functions(client, user_with_new_workgroup):
    user, workgroup = user_with_new_workgroup
    client.force_login(user)

    page = client.get(f"/w/{workgroup.slug}/partners/raci/").content.decode()

    assert InteropFunction.objects.filter(workgroup=workgroup).count() == 9
    assert "Transfer a call from 911 to 988" in page


def test_a_deleted_default_function_stays_deleted_when_the_page_is_reloaded(client, coordinator, workgroup):
    function = InteropFunction.objects.get(workgroup=workgroup, key="cross-training")
    client.force_login(coordinator)

    client.post(f"/w/riverbend/partners/raci/functions/{function.pk}/delete/")
    page = client.get(RACI_URL).content.decode()
    client.get("/w/riverbend/partners/")  # nor does any other partner page bring it back
    client.get("/w/riverbend/partners/coverage/")

    assert not InteropFunction.objects.filter(workgroup=workgroup, key="cross-training").exists()
    assert InteropFunction.objects.filter(workgroup=workgroup).count() == 8
    assert 'data-function="cross-training"' not in page
    assert "8 of 8 functions have problems." in page


def test_an_editor_without_organizations_is_pointed_to_adding_one(client, coordinator, workgroup):
    client.force_login(coordinator)

    page = client.get(RACI_URL).content.decode()

    assert 'href="/w/riverbend/partners/organizations/new/"' in page


def test_every_function_complete_shows_the_all_clear(client, coordinator, workgroup, partner_map):
    for function in InteropFunction.objects.filter(workgroup=workgroup):
        services.raci_set(actor=coordinator, function=function, organization=partner_map["center"], role="A")
        services.raci_set(actor=coordinator, function=function, organization=partner_map["psap"], role="R")
    client.force_login(coordinator)

    page = client.get(RACI_URL).content.decode()

    assert "Every function has one accountable and at least one responsible organization." in page
    assert "have problems" not in page


def test_an_outsider_gets_404(client, outsider, partner_map):
    client.force_login(outsider)

    assert client.get(RACI_URL).status_code == 404
    assert _cell_post(client, partner_map["receive"], partner_map["center"], "R").status_code == 404
    assert client.post(FUNCTION_URL, {"name": "Snoop"}).status_code == 404
    assert not RaciAssignment.objects.exists()


# --- Setting cells ------------------------------------------------------------------


def test_a_member_sets_a_cell_with_htmx_and_gets_the_row_back(client, member, workgroup, partner_map):
    client.force_login(member)
    receive, center = partner_map["receive"], partner_map["center"]

    response = _cell_post(client, receive, center, "A", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="raci-row-{receive.pk}"')
    assert re.search(rf'id="raci-{receive.pk}-{center.pk}".*?<option value="A"[^>]* selected>', html, re.S)
    assert "No one is accountable (A)." not in html  # the row's problems updated at once
    assert "No one is responsible (R)." in html
    assert 'id="raci-summary"' in html and 'hx-swap-oob="true"' in html  # the summary too
    assert "Riverbend 988 Crisis Center is now accountable for “Receive and assess a crisis call”." in html
    cell = RaciAssignment.objects.get(function=receive, organization=center)
    assert cell.role == "A" and cell.workgroup == workgroup
    assert cell.history.latest().history_user == member


def test_changing_a_cell_updates_the_same_row(client, member, partner_map):
    client.force_login(member)
    receive, center = partner_map["receive"], partner_map["center"]
    _cell_post(client, receive, center, "A", **HTMX)

    _cell_post(client, receive, center, "R", **HTMX)

    assert list(RaciAssignment.objects.values_list("role", flat=True)) == ["R"]


def test_clearing_a_cell_deletes_it(client, member, partner_map):
    client.force_login(member)
    receive, center = partner_map["receive"], partner_map["center"]
    _cell_post(client, receive, center, "R", **HTMX)

    response = _cell_post(client, receive, center, "", **HTMX)

    assert response.status_code == 200
    assert not RaciAssignment.objects.exists()
    deletion = RaciAssignment.history.filter(history_type="-").get()
    assert deletion.history_user == member
    assert "no longer has a role" in response.content.decode()


def test_without_javascript_a_cell_post_redirects_back_with_a_message(client, coordinator, partner_map):
    client.force_login(coordinator)

    response = _cell_post(client, partner_map["receive"], partner_map["psap"], "R")

    assert response.status_code == 302
    assert response.url == RACI_URL
    page = client.get(RACI_URL).content.decode()
    assert "Riverbend County 911 is now responsible for “Receive and assess a crisis call”." in page
    assert RaciAssignment.objects.get().role == "R"


def test_another_workgroups_organization_is_refused_and_nothing_is_written(client, member, partner_map, elsewhere):
    client.force_login(member)

    response = _cell_post(client, partner_map["receive"], elsewhere["org"], "A", **HTMX)

    assert response.status_code == 200  # htmx only swaps successful responses; the error is in the row
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="raci-row-{partner_map["receive"].pk}"')
    assert "That organization is not an active partner of this workgroup." in html
    assert "Elsewhere" not in html
    assert _cell_post(client, partner_map["receive"], elsewhere["org"], "A").status_code == 400
    assert not RaciAssignment.objects.exists()


def test_another_workgroups_function_is_refused_and_nothing_is_written(client, member, partner_map, elsewhere):
    client.force_login(member)

    response = _cell_post(client, elsewhere["function"], partner_map["center"], "A", **HTMX)

    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"  # no row of ours to replace
    html = response.content.decode()
    assert "That function is not in this workgroup&#x27;s matrix." in html
    assert "<tr" not in html
    plain = _cell_post(client, elsewhere["function"], partner_map["center"], "A")
    assert plain.status_code == 400
    assert "That role was not saved." in plain.content.decode()
    assert not RaciAssignment.objects.exists()


def test_an_inactive_organization_or_an_unknown_role_is_refused(client, member, partner_map):
    partner_map["mobile"].engagement_status = EngagementStatus.INACTIVE
    partner_map["mobile"].save()
    client.force_login(member)

    inactive = _cell_post(client, partner_map["receive"], partner_map["mobile"], "R")
    bad_role = _cell_post(client, partner_map["receive"], partner_map["center"], "X", **HTMX)

    assert inactive.status_code == 400
    assert "Choose R, A, C or I, or leave the cell blank." in bad_role.content.decode()
    assert not RaciAssignment.objects.exists()


@pytest.mark.parametrize("person", ["viewer", "legal_reviewer", "qa_reviewer"])
def test_readers_cannot_set_cells_or_add_functions(client, request, partner_map, person):
    client.force_login(request.getfixturevalue(person))

    assert _cell_post(client, partner_map["receive"], partner_map["center"], "R", **HTMX).status_code == 403
    assert client.post(FUNCTION_URL, {"name": "Sneaky"}).status_code == 403
    assert not RaciAssignment.objects.exists()
    assert not InteropFunction.objects.filter(name="Sneaky").exists()


def test_the_cell_url_only_accepts_posts(client, member, partner_map):
    client.force_login(member)

    assert client.get(CELL_URL).status_code == 405


# --- Adding functions ---------------------------------------------------------------


def test_a_member_adds_a_function_that_becomes_a_row(client, member, workgroup, partner_map):
    client.force_login(member)

    response = client.post(FUNCTION_URL, {"name": "Warm line hand-off", "description": "Peer line to 988."})

    function = InteropFunction.objects.get(workgroup=workgroup, name="Warm line hand-off")
    assert response.status_code == 302
    assert response.url == f"{RACI_URL}#raci-row-{function.pk}"
    assert function.history.latest().history_user == member
    page = client.get(RACI_URL).content.decode()
    assert "“Warm line hand-off” added to the matrix." in page
    assert f'id="raci-row-{function.pk}"' in page
    assert "10 of 10 functions have problems." in page


def test_a_duplicate_function_name_is_shown_next_to_what_was_typed(client, member, workgroup, partner_map):
    client.force_login(member)

    response = client.post(FUNCTION_URL, {"name": "dispatch MOBILE crisis", "description": "again"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is already a function called “dispatch MOBILE crisis”." in page
    assert re.search(r'<input[^>]*name="name"[^>]*value="dispatch MOBILE crisis"', page)
    assert InteropFunction.objects.filter(workgroup=workgroup).count() == 9


def test_a_blank_function_name_is_refused(client, member, workgroup, partner_map):
    client.force_login(member)

    response = client.post(FUNCTION_URL, {"name": "  "})

    assert response.status_code == 400
    assert InteropFunction.objects.filter(workgroup=workgroup).count() == 9


# --- Performance --------------------------------------------------------------------


def _queries_for_matrix(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(RACI_URL).status_code == 200
    return len(queries)


def test_the_matrix_page_query_count_does_not_grow_with_organizations(client, coordinator, workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    client.force_login(coordinator)
    few = _organizations(workgroup, 3)
    receive = InteropFunction.objects.get(workgroup=workgroup, key="receive-assess")
    services.raci_set(actor=coordinator, function=receive, organization=few[0], role="A")
    with_three = _queries_for_matrix(client)

    many = _organizations(workgroup, 12, start=3)
    for org in many:
        services.raci_set(actor=coordinator, function=receive, organization=org, role="R")
    with_fifteen = _queries_for_matrix(client)

    assert Organization.objects.filter(workgroup=workgroup).count() == 15
    assert with_fifteen == with_three


def test_a_member_renames_a_function_and_a_duplicate_name_keeps_what_was_typed(client, workgroup, member):
    from partners import services as partner_services
    from partners.models import InteropFunction

    partner_services.partner_map_create_defaults(workgroup=workgroup)
    function = InteropFunction.objects.get(workgroup=workgroup, key="cross-training")
    url = f"/w/{workgroup.slug}/partners/raci/functions/{function.pk}/edit/"
    client.force_login(member)

    refused = client.post(url, {"name": "follow up after the call", "description": "Joint drills"})
    assert refused.status_code == 400
    assert "already a function" in refused.content.decode() and "Joint drills" in refused.content.decode()
    client.post(url, {"name": "Cross-train dispatchers and counselors", "description": "Joint drills"})

    function.refresh_from_db()
    assert (function.name, function.description) == ("Cross-train dispatchers and counselors", "Joint drills")
    assert function.history.first().history_user == member


def test_removing_a_function_asks_first_and_takes_its_cells_with_it(client, workgroup, member):
    from partners import services as partner_services
    from partners.models import InteropFunction, RaciAssignment
    from partners.tests.factories import OrganizationFactory

    partner_services.partner_map_create_defaults(workgroup=workgroup)
    function = InteropFunction.objects.get(workgroup=workgroup, key="dispatch-mobile-crisis")
    partner_services.raci_set(actor=member, function=function, organization=OrganizationFactory(workgroup=workgroup),
                              role="R")
    url = f"/w/{workgroup.slug}/partners/raci/functions/{function.pk}/delete/"
    client.force_login(member)

    assert "1 assigned role will be removed" in client.get(url).content.decode()
    assert InteropFunction.objects.filter(pk=function.pk).exists()
    client.post(url)
    assert not InteropFunction.objects.filter(pk=function.pk).exists()
    assert not RaciAssignment.objects.exists()


def test_readers_and_outsiders_cannot_edit_or_remove_functions(client, workgroup, other_workgroup, viewer, member):
    from partners import services as partner_services
    from partners.models import InteropFunction

    partner_services.partner_map_create_defaults(workgroup=workgroup)
    partner_services.partner_map_create_defaults(workgroup=other_workgroup)
    ours = InteropFunction.objects.filter(workgroup=workgroup).first()
    theirs = InteropFunction.objects.filter(workgroup=other_workgroup).first()

    client.force_login(viewer)
    assert client.post(f"/w/{workgroup.slug}/partners/raci/functions/{ours.pk}/delete/").status_code == 403
    client.force_login(member)
    assert client.post(f"/w/{workgroup.slug}/partners/raci/functions/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/w/{workgroup.slug}/partners/raci/functions/{theirs.pk}/edit/",
                       {"name": "Hijacked"}).status_code == 404
    assert InteropFunction.objects.filter(pk__in=[ours.pk, theirs.pk]).count() == 2
    assert not InteropFunction.objects.filter(name="Hijacked").exists()
