"""Instrument pages: what each role sees, who may write, and that other workgroups' rows stay out of reach."""

from __future__ import annotations

from html import unescape

import pytest
from django.utils import dateformat
from django.utils.text import capfirst
from django.utils.timezone import localtime

from readiness.messages import MSG_DIMENSION_EMPTY, MSG_NO_DIMENSIONS
from readiness.models import Dimension, Instrument, InstrumentStatus, InstrumentVersion, Item
from readiness.tests.factories import default_version, small_version

BASE = "/w/riverbend/readiness"


def text(response) -> str:
    return unescape(response.content.decode())


def snapshot(version: InstrumentVersion) -> tuple:
    """Everything a write could change in a version, to assert that nothing did."""
    version.refresh_from_db()
    dimensions = list(Dimension.objects.filter(version=version).order_by("pk").values_list(
        "pk", "key", "name", "description", "weight", "order"))
    items = list(Item.objects.filter(version=version).order_by("pk").values_list(
        "pk", "dimension_id", "statement", "answer_type", "weight", "reverse_scored", "order"))
    versions = list(version.instrument.versions.order_by("pk").values_list("pk", "status", "change_summary"))
    return version.instrument.name, versions, dimensions, items


def write_requests(version: InstrumentVersion, items: dict) -> list[tuple[str, str, dict]]:
    """Every write URL of the instrument screens, with a POST that would change something."""
    lead, item = items["L1"].dimension, items["L1"]
    dimension = {"name": "Changed", "key": "changed", "weight": "2", "description": "", "suggested_action": ""}
    statement = {"dimension": lead.pk, "statement": "Changed", "answer_type": "agreement", "weight": "1"}
    return [
        ("post", f"{BASE}/instruments/new/", {"name": "Sneaky instrument"}),
        ("post", f"{BASE}/instruments/{version.instrument_id}/edit/", {"name": "Renamed", "description": ""}),
        ("post", f"{BASE}/versions/{version.pk}/edit/", {"change_summary": "Changed"}),
        ("post", f"{BASE}/versions/{version.pk}/publish/", {}),
        ("post", f"{BASE}/versions/{version.pk}/new-draft/", {}),
        ("post", f"{BASE}/versions/{version.pk}/dimensions/new/", dimension),
        ("post", f"{BASE}/dimensions/{lead.pk}/edit/", dimension),
        ("post", f"{BASE}/dimensions/{lead.pk}/delete/", {}),
        ("post", f"{BASE}/dimensions/{lead.pk}/move/", {"direction": "down"}),
        ("post", f"{BASE}/versions/{version.pk}/items/new/", statement),
        ("post", f"{BASE}/items/{item.pk}/edit/", statement),
        ("post", f"{BASE}/items/{item.pk}/delete/", {}),
        ("post", f"{BASE}/items/{item.pk}/move/", {"direction": "down"}),
        ("get", f"{BASE}/instruments/new/", {}),
        ("get", f"{BASE}/versions/{version.pk}/dimensions/new/", {}),
        ("get", f"{BASE}/items/{item.pk}/edit/", {}),
        ("get", f"{BASE}/dimensions/{lead.pk}/delete/", {}),
    ]


def test_the_list_shows_each_instrument_with_its_versions_and_links_to_the_current_and_draft_versions(
    client, workgroup, coordinator
):
    published = default_version(workgroup)
    draft, _ = small_version(workgroup, status=InstrumentStatus.DRAFT)
    client.force_login(coordinator)

    response = client.get(f"{BASE}/instruments/")

    page = text(response)
    assert response.status_code == 200
    assert published.instrument.name in page and "Small instrument" in page
    assert f'href="{published.get_absolute_url()}" data-testid="current-version"' in page
    assert f'href="{draft.get_absolute_url()}" data-testid="draft-version"' in page
    assert "No published version yet" in page  # the small instrument has only a draft
    assert f"published {dateformat.format(localtime(published.published_at), 'M j, Y')}" in page
    assert 'data-testid="new-instrument"' in page


def test_the_list_says_there_is_no_instrument_yet(client, workgroup, viewer):
    client.force_login(viewer)

    page = text(client.get(f"{BASE}/instruments/"))

    assert "No instrument yet" in page and "A coordinator creates and publishes instruments." in page
    assert "New instrument" not in page


def test_the_instrument_page_shows_the_description_and_its_versions(client, workgroup, coordinator):
    version = default_version(workgroup)
    client.force_login(coordinator)

    response = client.get(version.instrument.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert version.instrument.description in page
    assert "Version 1" in page and "Published" in page
    assert 'data-testid="edit-instrument"' in page


def test_a_published_version_shows_its_statements_says_it_is_immutable_and_offers_a_new_draft(
    client, workgroup, coordinator
):
    version, items = small_version(workgroup)
    client.force_login(coordinator)

    page = text(client.get(version.get_absolute_url()))

    assert "Leadership" in page and "Data sharing" in page and "Statement D3" in page
    assert "Name an executive sponsor in every partner." in page
    assert "2 dimensions · 7 statements, 5 scored" in page
    assert page.count('data-testid="reverse-scored"') == 1 and page.count('data-testid="not-scored"') == 2
    assert "immutable because rounds cite it" in page
    assert 'data-testid="new-draft"' in page
    for absent in ('data-testid="add-dimension"', 'data-testid="add-item"', 'data-testid="publish"',
                   f"/items/{items['L1'].pk}/edit/", f"/dimensions/{items['L1'].dimension_id}/move/"):
        assert absent not in page


def test_a_long_version_opens_with_a_list_of_its_dimensions_that_jumps_to_each(client, workgroup, coordinator):
    version, items = small_version(workgroup)
    client.force_login(coordinator)

    page = text(client.get(version.get_absolute_url()))

    contents = page.split('data-testid="dimension-contents"')[1].split("</nav>")[0]
    lead, data = items["L1"].dimension_id, items["D1"].dimension_id
    assert f'href="#dimension-{lead}">1. Leadership</a>' in contents and "(4)" in contents
    assert f'href="#dimension-{data}">2. Data sharing</a>' in contents and "(3)" in contents
    assert f'id="dimension-{lead}"' in page and f'id="dimension-{data}"' in page


def test_a_draft_lists_what_stops_publishing_and_shows_the_editing_buttons(client, workgroup, coordinator):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    Dimension.objects.create(workgroup=workgroup, version=version, key="empty", name="Funding", order=5)
    client.force_login(coordinator)

    page = text(client.get(version.get_absolute_url()))

    problems = page.split('data-testid="publish-problems"')[1].split("</ul>")[0]
    assert capfirst(MSG_DIMENSION_EMPTY.format(name="Funding")) in problems
    assert 'data-testid="publish"' in page and "retires" not in page  # nothing published to retire yet
    assert f"/items/new/?dimension={items['L1'].dimension_id}" in page
    assert f"/items/{items['L1'].pk}/edit/" in page and f"/dimensions/{items['L1'].dimension_id}/delete/" in page
    assert 'data-testid="add-dimension"' in page and 'data-testid="new-draft"' not in page


def test_an_empty_draft_says_it_needs_a_dimension(client, workgroup, coordinator):
    client.force_login(coordinator)
    client.post(f"{BASE}/instruments/new/", {"name": "Tribal partners check", "description": ""})
    version = InstrumentVersion.objects.get(instrument__name="Tribal partners check")

    page = text(client.get(version.get_absolute_url()))

    assert capfirst(MSG_NO_DIMENSIONS) in page and "This version has no dimensions yet." in page


@pytest.mark.parametrize("status", [InstrumentStatus.DRAFT, InstrumentStatus.PUBLISHED])
def test_a_viewer_reads_every_page_but_sees_no_editing_button(client, workgroup, viewer, status):
    version, items = small_version(workgroup, status=status)
    client.force_login(viewer)

    for url in (f"{BASE}/instruments/", version.instrument.get_absolute_url(), version.get_absolute_url()):
        response = client.get(url)
        page = text(response)
        assert response.status_code == 200, url
        assert "Small instrument" in page
        for button in ("New instrument", "Edit name and description", "Edit change summary", "Add dimension",
                       "Add statement", "Publish version", "Start a new draft", f"/items/{items['L1'].pk}/"):
            assert button not in page, (url, button)
    assert "Statement L1" in page


def test_members_and_reviewers_get_403_on_every_write_and_nothing_changes(
    client, workgroup, member, legal_reviewer, qa_reviewer, viewer
):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    before, instruments = snapshot(version), Instrument.objects.count()

    for person in (member, legal_reviewer, qa_reviewer, viewer):
        client.force_login(person)
        for method, url, data in write_requests(version, items):
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (person.email, method, url)

    assert snapshot(version) == before and Instrument.objects.count() == instruments


def test_an_outsider_gets_404_on_every_page_of_this_workgroup(client, workgroup, outsider):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    before = snapshot(version)
    client.force_login(outsider)

    reads = [("get", url, {}) for url in (f"{BASE}/instruments/", version.instrument.get_absolute_url(),
                                          version.get_absolute_url())]
    for method, url, data in reads + write_requests(version, items):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert snapshot(version) == before


def test_rows_of_another_workgroup_are_not_found_and_their_names_never_appear(
    client, workgroup, other_workgroup, coordinator
):
    default_version(workgroup)
    theirs, their_items = small_version(other_workgroup, name="Elsewhere secret instrument",
                                        status=InstrumentStatus.DRAFT)
    before = snapshot(theirs)
    client.force_login(coordinator)

    for url in (f"{BASE}/instruments/", f"{BASE}/instruments/{theirs.instrument_id}/"):
        assert "Elsewhere secret instrument" not in text(client.get(url))
    assert client.get(f"{BASE}/versions/{theirs.pk}/").status_code == 404
    for method, url, data in write_requests(theirs, their_items):
        if url.endswith("/instruments/new/"):  # creates in our own workgroup: not a row of theirs
            continue
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert snapshot(theirs) == before


def test_a_dimension_of_another_version_or_workgroup_in_the_statement_form_is_an_invalid_choice(
    client, workgroup, other_workgroup, coordinator
):
    draft, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    _, ours_elsewhere = small_version(workgroup, name="Second instrument")
    _, theirs = small_version(other_workgroup, name="Elsewhere secret instrument")
    before = snapshot(draft)
    client.force_login(coordinator)

    for foreign in (ours_elsewhere["L1"].dimension, theirs["L1"].dimension):
        data = {"dimension": foreign.pk, "statement": "Tampered statement", "answer_type": "agreement", "weight": "1"}
        for url in (f"{BASE}/versions/{draft.pk}/items/new/", f"{BASE}/items/{items['L1'].pk}/edit/"):
            response = client.post(url, data)
            assert response.status_code == 400
            assert "Choose a dimension of this version." in text(response)
            assert "Tampered statement" in text(response)  # what was typed is kept
    assert snapshot(draft) == before and not Item.objects.filter(statement="Tampered statement").exists()


def test_the_statement_form_offers_only_this_versions_dimensions(client, workgroup, coordinator):
    draft, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    default_version(workgroup)
    client.force_login(coordinator)

    page = text(client.get(f"{BASE}/versions/{draft.pk}/items/new/?dimension={items['D1'].dimension_id}"))

    options = page.split('name="dimension"')[1].split("</select>")[0]
    assert options.count("<option") == 3  # the empty choice, Leadership, Data sharing
    assert f'value="{items["D1"].dimension_id}" selected' in options
