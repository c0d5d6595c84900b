"""Large maps read as a person would read them: a page at a time, or grouped and summarised."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (parses only SVG our own view produced)

import pytest

from partners.charts import MAX_DRAWN_POINTS
from partners.models import Contact, EngagementStatus, InteropFunction, Organization, RaciAssignment, Sector

BASE = "/w/riverbend/partners"
SVG = "{http://www.w3.org/2000/svg}"


def _organizations(workgroup, count: int, *, sector_key: str = "988-center", prefix: str = "Partner", **fields):
    sector = Sector.objects.get(workgroup=workgroup, key=sector_key)
    return Organization.objects.bulk_create(
        Organization(workgroup=workgroup, name=f"{prefix} {n:03d}", sector=sector, org_type="provider",
                     engagement_status=EngagementStatus.ENGAGED, **fields)
        for n in range(count)
    )


def _columns(page: str) -> list[str]:
    return re.findall(r'data-testid="raci-column"[^>]*>\s*<a[^>]*>\s*<span class="visually-hidden">([^<]+)<', page)


# --- RACI -----------------------------------------------------------------------------------


def test_the_raci_matrix_shows_a_dozen_columns_a_page_and_counts_every_holder(client, workgroup, viewer):
    organizations = _organizations(workgroup, 30)
    receive = InteropFunction.objects.get(workgroup=workgroup, key="receive-assess")
    RaciAssignment.objects.bulk_create(
        RaciAssignment(workgroup=workgroup, function=receive, organization=org, role="I") for org in organizations
    )
    client.force_login(viewer)

    first = client.get(f"{BASE}/raci/").content.decode()
    third = client.get(f"{BASE}/raci/", {"page": "3"}).content.decode()

    assert _columns(first) == [f"Partner {n:03d}" for n in range(12)]
    assert _columns(third) == [f"Partner {n:03d}" for n in range(24, 30)]
    assert "Columns 1–12 of the 30 partner organizations" in first
    assert 'aria-label="Pages of organizations (columns)"' in first
    # The row's check counts all 30, not only the dozen shown, and names the first few.
    assert "Partner 000, Partner 001, Partner 002 and 27 more" in first


def test_the_raci_columns_can_be_one_sectors_organizations(client, workgroup, viewer):
    _organizations(workgroup, 5)
    _organizations(workgroup, 2, sector_key="911-psap", prefix="Dispatch")
    psap = Sector.objects.get(workgroup=workgroup, key="911-psap")
    client.force_login(viewer)

    page = client.get(f"{BASE}/raci/", {"sector": psap.pk}).content.decode()

    assert _columns(page) == ["Dispatch 000", "Dispatch 001"]


def test_the_raci_columns_can_be_the_organizations_whose_name_holds_a_word(client, workgroup, viewer):
    _organizations(workgroup, 3)
    _organizations(workgroup, 2, sector_key="911-psap", prefix="Riverbend County Dispatch")
    client.force_login(viewer)

    page = client.get(f"{BASE}/raci/", {"name": "county disp"}).content.decode()

    assert _columns(page) == ["Riverbend County Dispatch 000", "Riverbend County Dispatch 001"]
    assert "with “county disp” in the name" in page


def test_raci_columns_are_numbered_and_the_key_gives_each_full_name_and_sector(client, workgroup, viewer):
    _organizations(workgroup, 14)
    client.force_login(viewer)

    page = client.get(f"{BASE}/raci/", {"page": "2"}).content.decode()

    numbers = re.findall(r'data-testid="raci-column-number">(\d+)<', page)
    key = page[page.index('data-testid="raci-key"'):]
    assert numbers == ["13", "14"]  # numbered across pages, as the caption counts them
    assert re.search(r">13</span><a [^>]+>Partner 012</a> <span[^>]*>· 988 center leadership", key), key[:600]


def test_raci_headings_that_would_read_alike_keep_their_start_and_their_end():
    from partners.views.raci import column_labels

    labels = column_labels([
        "Riverbend County Emergency Communications (911)",
        "Riverbend County Emergency Management",
        "Harbor City Mobile Crisis Team",
        "EMS",
    ])

    assert labels == ["Riverbend…tions (911)", "Riverbend…Management", "Harbor City Mobile Cr…", "EMS"]
    assert len(set(labels)) == 4 and all(len(label) <= 22 for label in labels)


def test_another_workgroups_sector_as_raci_filter_is_ignored(client, workgroup, other_workgroup, viewer):
    _organizations(workgroup, 2)
    theirs = Sector.objects.get(workgroup=other_workgroup, key="911-psap")
    client.force_login(viewer)

    page = client.get(f"{BASE}/raci/", {"sector": theirs.pk}).content.decode()

    assert _columns(page) == ["Partner 000", "Partner 001"]
    assert 'data-testid="filter-ignored"' in page


def test_a_cell_saved_on_a_later_page_comes_back_with_that_pages_columns(client, workgroup, member):
    organizations = _organizations(workgroup, 20)
    receive = InteropFunction.objects.get(workgroup=workgroup, key="receive-assess")
    client.force_login(member)

    page = client.get(f"{BASE}/raci/", {"page": "2"}).content.decode()
    assert f'hx-post="{BASE}/raci/cell/?page=2"' in page
    row = client.post(f"{BASE}/raci/cell/?page=2", {"function": receive.pk, "organization": organizations[15].pk,
                                                     "role": "R"}, HTTP_HX_REQUEST="true").content.decode()
    plain = client.post(f"{BASE}/raci/cell/?page=2", {"function": receive.pk, "organization": organizations[16].pk,
                                                       "role": "C"})

    assert f'data-organization="{organizations[15].pk}" data-role="R"' in row
    assert f'data-organization="{organizations[0].pk}"' not in row  # the first page's columns are not in it
    assert plain.status_code == 302 and plain.url == f"{BASE}/raci/?page=2"


# --- Power–interest grid ------------------------------------------------------------------------


def test_a_large_grid_is_summarised_per_square_with_a_paginated_list(client, workgroup, viewer):
    _organizations(workgroup, MAX_DRAWN_POINTS + 10, influence=5, interest=5)
    client.force_login(viewer)

    page = client.get(f"{BASE}/grid/").content.decode()
    svg = ET.fromstring(client.get(f"{BASE}/grid.svg").content)  # noqa: S314

    assert not svg.findall(f".//{SVG}circle[@data-role='point']")
    assert [c.get("data-count") for c in svg.findall(f".//{SVG}circle[@data-role='square']")] == ["160"]
    assert "counts them per square" in page
    assert page.count('<tr data-quadrant="manage_closely">') == 25
    assert "and 155 more" in page  # the quadrant card names the first few
    assert 'aria-label="Pages of organizations on the grid"' in page


def test_the_grid_list_can_show_one_quadrant(client, workgroup, viewer):
    _organizations(workgroup, 3, influence=5, interest=5)
    _organizations(workgroup, 2, prefix="Quiet", influence=1, interest=1)
    client.force_login(viewer)

    page = client.get(f"{BASE}/grid/", {"quadrant": "monitor"}).content.decode()

    listed = re.findall(r'<tr data-quadrant="(\w+)">', page)
    assert listed == ["monitor", "monitor"]
    assert 'href="?quadrant=manage_closely#grid-organizations"' in page


# --- Directory, organizations, coverage ---------------------------------------------------------


def test_the_directory_names_a_few_contacts_and_links_to_the_rest(client, workgroup, viewer):
    organization = _organizations(workgroup, 1)[0]
    Contact.objects.bulk_create(
        Contact(workgroup=workgroup, organization=organization, name=f"Person {n:02d}", is_primary=n == 7)
        for n in range(40)
    )
    client.force_login(viewer)

    page = client.get(f"{BASE}/organizations/").content.decode()
    detail = client.get(f"{BASE}/organizations/{organization.pk}/").content.decode()
    second = client.get(f"{BASE}/organizations/{organization.pk}/", {"page": "2"}).content.decode()

    assert "Person 07" in page and "Person 00" in page and "Person 01" in page and "Person 02" not in page
    assert "and 37 more contacts" in page
    assert detail.count('/vcard/"') == 25 and second.count('/vcard/"') == 15
    assert 'aria-label="Pages of contacts"' in detail


def test_coverage_names_a_few_organizations_per_sector_and_counts_the_rest(client, workgroup, viewer):
    _organizations(workgroup, 12)
    client.force_login(viewer)

    page = client.get(f"{BASE}/coverage/").content.decode()

    assert "Partner 004" in page and "Partner 005" not in page
    assert "and 7 more" in page


@pytest.mark.parametrize("count", [35])
def test_the_coverage_page_lists_a_bounded_number_of_the_workgroups_own_sectors(client, workgroup, viewer, count):
    Sector.objects.bulk_create(Sector(workgroup=workgroup, key=f"own-{n}", name=f"Own sector {n:02d}", order=500)
                               for n in range(count))
    client.force_login(viewer)

    page = client.get(f"{BASE}/coverage/").content.decode()
    sectors = client.get(f"{BASE}/sectors/").content.decode()

    assert page.count("Own sector") == 30 and "And 5 more sectors the workgroup added" in page
    assert 'aria-label="Sector pages"' in sectors
