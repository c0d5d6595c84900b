"""The coverage page, the power–interest grid page and its SVG download."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (parses only SVG our own view produced)

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services
from partners.models import Engagement, EngagementStatus, Organization, Sector

COVERAGE_URL = "/w/riverbend/partners/coverage/"
GRID_URL = "/w/riverbend/partners/grid/"
SVG_URL = "/w/riverbend/partners/grid.svg"


@pytest.fixture
def partner_map(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    return workgroup


def _organization(actor, workgroup, name: str, sector_key: str = "988-center", **fields) -> Organization:
    return services.organization_create(
        actor=actor,
        workgroup=workgroup,
        name=name,
        sector=Sector.objects.get(workgroup=workgroup, key=sector_key),
        org_type="provider",
        **{"engagement_status": EngagementStatus.ENGAGED, **fields},  # engaged: at the table
    )


@pytest.fixture
def secret_organization(other_workgroup, outsider):
    services.partner_map_create_defaults(workgroup=other_workgroup)
    return _organization(outsider, other_workgroup, "Elsewhere Hidden Crisis Line", influence=5, interest=5)


def _quadrant_section(page: str, quadrant: str) -> str:
    match = re.search(rf'<section[^>]*data-quadrant="{quadrant}".*?</section>', page, re.S)
    assert match, f"no section for {quadrant}"
    return match.group(0)


# --- Who may see the pages --------------------------------------------------------------


@pytest.mark.parametrize("url", [COVERAGE_URL, GRID_URL, SVG_URL])
def test_every_member_can_read_the_pages_even_a_viewer(client, partner_map, viewer, url):
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", [COVERAGE_URL, GRID_URL, SVG_URL])
def test_an_outsider_gets_404(client, partner_map, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client, partner_map):
    response = client.get(GRID_URL)
    assert response.status_code == 302
    assert "/login" in response.url


@pytest.mark.parametrize("url", [COVERAGE_URL, GRID_URL, SVG_URL])
def test_another_workgroups_organizations_never_appear(client, partner_map, coordinator, secret_organization, url):
    _organization(coordinator, partner_map, "Riverbend Crisis Line")
    client.force_login(coordinator)

    page = client.get(url).content.decode()

    assert "Riverbend Crisis Line" in page
    assert "Elsewhere Hidden Crisis Line" not in page
    assert f"/organizations/{secret_organization.pk}/" not in page


# --- Coverage ---------------------------------------------------------------------------


def test_coverage_shows_the_scores_and_what_is_missing(client, partner_map, viewer, coordinator):
    _organization(coordinator, partner_map, "Riverbend Crisis Line", "988-center")
    _organization(coordinator, partner_map, "Riverbend General Hospital", "hospitals")
    _organization(coordinator, partner_map, "Old Warm Line", "warm-lines", engagement_status=EngagementStatus.INACTIVE)
    client.force_login(viewer)

    page = client.get(COVERAGE_URL).content.decode()

    assert "Core sectors: 1/11" in page
    assert "Additional: 1/11" in page
    assert page.count(">Missing</span>") == 10 + 10
    assert "inactive organizations do not count" in page
    assert "Old Warm Line" not in page
    assert "/guidance/key-partners-and-readiness/" in page
    assert "Add an organization in this sector" not in page  # a viewer cannot add


def test_coverage_offers_editors_a_link_to_add_a_missing_sector(client, partner_map, member):
    client.force_login(member)
    page = client.get(COVERAGE_URL).content.decode()
    sector = Sector.objects.get(workgroup=partner_map, key="medicaid-authority")
    assert f'/w/riverbend/partners/organizations/new/?sector={sector.pk}"' in page
    assert page.count("Add an organization in this sector") == 22


def test_coverage_lists_custom_sectors_apart_from_the_score(client, partner_map, coordinator):
    sector = services.sector_create(actor=coordinator, workgroup=partner_map, name="Faith communities")
    services.organization_create(
        actor=coordinator, workgroup=partner_map, name="Interfaith Council", sector=sector, org_type="community",
        engagement_status=EngagementStatus.ENGAGED,
    )
    client.force_login(coordinator)

    page = client.get(COVERAGE_URL).content.decode()

    assert "Core sectors: 0/11" in page
    custom = page.split("Sectors added by the workgroup", 1)[1]
    assert "Faith communities" in custom and "Interfaith Council" in custom


def test_a_new_workgroup_starts_with_the_recommended_sectors(client, user_with_new_workgroup):
    user, workgroup = user_with_new_workgroup
    client.force_login(user)

    page = client.get(f"/w/{workgroup.slug}/partners/coverage/").content.decode()

    assert "Core sectors: 0/11" in page
    assert "Mobile crisis provider" in page


# --- Grid -------------------------------------------------------------------------------


def test_the_grid_lists_each_organization_under_its_strategy(client, partner_map, coordinator, viewer):
    _organization(
        coordinator,
        partner_map,
        "County Board of Supervisors",
        "elected-officials",
        influence=5,
        interest=1,
        current_engagement=Engagement.UNAWARE,
        desired_engagement=Engagement.SUPPORTIVE,
    )
    _organization(
        coordinator,
        partner_map,
        "Riverbend Crisis Line",
        influence=5,
        interest=5,
        current_engagement=Engagement.LEADING,
        desired_engagement=Engagement.LEADING,
    )
    _organization(coordinator, partner_map, "NAMI Riverbend", "suicide-prevention", influence=2, interest=5)
    client.force_login(viewer)

    page = client.get(GRID_URL).content.decode()

    satisfied = _quadrant_section(page, "keep_satisfied")
    assert "County Board of Supervisors" in satisfied
    assert "Unaware → Supportive" in satisfied and "raise by 3" in satisfied
    assert "Brief them before decisions" in satisfied
    closely = _quadrant_section(page, "manage_closely")
    assert "Riverbend Crisis Line" in closely and "where needed" in closely
    assert "NAMI Riverbend" in _quadrant_section(page, "keep_informed")
    assert "No organizations here." in _quadrant_section(page, "monitor")
    # its points link to the organizations: a labelled group, not an image (which would hide the links)
    assert 'role="group" aria-labelledby="pig-title pig-desc"' in page
    assert "/edit/" not in page and "/organizations/new/" not in page  # viewers get no edit links


def test_the_grid_page_shows_the_charts_figures_as_a_table(client, partner_map, coordinator, viewer):
    for name in ("Riverbend Crisis Line", "Riverbend 911", "Riverbend EMS"):
        _organization(coordinator, partner_map, name, influence=5, interest=4)
    _organization(coordinator, partner_map, "NAMI Riverbend", "suicide-prevention", influence=2, interest=5)
    client.force_login(viewer)

    page = client.get(GRID_URL).content.decode()

    figures = re.search(r'<details[^>]*data-testid="grid-figures".*?</details>', page, re.S).group(0)
    assert "Show the figures as a table" in figures and "<caption" in figures
    found = re.findall(r'<td data-influence="(\d)" data-interest="(\d)">(?:<span[^>]*>)?(\d+)', figures)
    cells = {(influence, interest): int(count) for influence, interest, count in found}
    assert len(cells) == 25 and sum(cells.values()) == 4
    assert cells[("5", "4")] == 3 and cells[("2", "5")] == 1  # as many as the chart draws on those squares
    chart = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))  # noqa: S314
    assert len(chart.findall(".//{http://www.w3.org/2000/svg}circle[@data-role='point']")) == 4


def test_editors_get_edit_links(client, partner_map, member):
    organization = _organization(member, partner_map, "Riverbend Crisis Line")
    client.force_login(member)

    page = client.get(GRID_URL).content.decode()

    assert f"/w/riverbend/partners/organizations/{organization.pk}/edit/" in page
    assert "/w/riverbend/partners/organizations/new/" in page


def test_inactive_organizations_are_hidden_unless_asked_for(client, partner_map, coordinator):
    _organization(coordinator, partner_map, "Old Warm Line", engagement_status=EngagementStatus.INACTIVE)
    client.force_login(coordinator)

    hidden = client.get(GRID_URL).content.decode()
    shown = client.get(GRID_URL, {"inactive": "1"}).content.decode()

    assert "Old Warm Line" not in hidden and "1 inactive organization hidden" in hidden
    assert "Old Warm Line" in shown
    assert "Old Warm Line" in client.get(SVG_URL, {"inactive": "1"}).content.decode()
    assert "Old Warm Line" not in client.get(SVG_URL).content.decode()


def test_a_hostile_name_is_escaped_on_the_page_and_in_the_svg(client, partner_map, coordinator):
    _organization(coordinator, partner_map, '<script>alert("x")</script> & Co')
    client.force_login(coordinator)

    page = client.get(GRID_URL).content.decode()
    svg = client.get(SVG_URL).content.decode()

    assert "<script>alert" not in page and "<script>alert" not in svg
    assert "&lt;script&gt;" in page
    ET.fromstring(svg)  # noqa: S314 (still well-formed)


def test_the_svg_download_is_an_svg_file(client, partner_map, viewer, coordinator):
    _organization(coordinator, partner_map, "Riverbend Crisis Line")
    client.force_login(viewer)

    response = client.get(SVG_URL)
    download = client.get(SVG_URL, {"download": "1"})

    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith("inline;")
    assert download["Content-Disposition"] == 'attachment; filename="power-interest-grid-riverbend.svg"'
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle[@data-role='point']")) == 1


def test_the_grid_page_does_not_query_more_with_more_organizations(client, partner_map, coordinator):
    def queries_for_grid() -> int:
        client.get(GRID_URL)  # the session and the defaults are warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(GRID_URL).status_code == 200
        return len(queries)

    client.force_login(coordinator)
    _organization(coordinator, partner_map, "Partner 0")
    few = queries_for_grid()
    for i in range(1, 15):
        _organization(coordinator, partner_map, f"Partner {i}", influence=1 + i % 5, interest=1 + (i * 3) % 5)

    assert queries_for_grid() == few


def test_the_grid_can_show_the_map_as_it_stood_on_an_earlier_day(client, workgroup, coordinator):
    from datetime import timedelta

    from django.utils import timezone

    from partners import services as partner_services
    from partners.grid_selectors import grid_points
    from partners.tests.factories import OrganizationFactory

    organization = OrganizationFactory(workgroup=workgroup, name="Sheriff's Office", influence=2, interest=2)
    organization.history.update(history_date=timezone.now() - timedelta(days=30))
    partner_services.organization_update(actor=coordinator, organization=organization, influence=5, interest=5)
    OrganizationFactory(workgroup=workgroup, name="Joined Later")
    last_week = timezone.localdate() - timedelta(days=7)
    client.force_login(coordinator)

    page = client.get(f"/w/{workgroup.slug}/partners/grid/", {"as_of": last_week.isoformat()}).content.decode()

    assert "Showing the map as it stood" in page
    assert "Joined Later" not in page
    today = grid_points(workgroup=workgroup)
    then = grid_points(workgroup=workgroup, as_of=timezone.now() - timedelta(days=7))
    assert sorted((p.name, p.influence) for p in today) == [("Joined Later", 3), ("Sheriff's Office", 5)]
    assert [(p.name, p.influence, p.interest) for p in then] == [("Sheriff's Office", 2, 2)]


def test_a_garbage_or_future_as_of_date_shows_today(client, workgroup, viewer):
    client.force_login(viewer)

    for value in ("yesterday-ish", "2999-01-01"):
        response = client.get(f"/w/{workgroup.slug}/partners/grid/", {"as_of": value})
        assert response.status_code == 200
        assert "Showing the map as it stood" not in response.content.decode()


def test_each_point_links_to_its_organizations_page(workgroup):
    from django.urls import reverse

    from partners.grid_selectors import grid_points
    from partners.tests.factories import OrganizationFactory

    for name in ("Riverbend PSAP", "County 988", "Mobile Team 12"):
        OrganizationFactory(workgroup=workgroup, name=name)

    points = grid_points(workgroup=workgroup)

    assert len(points) == 3
    for point in points:
        assert point.url == reverse("partners:organization-detail",
                                    kwargs={"slug": workgroup.slug, "organization_id": point.organization_id})
