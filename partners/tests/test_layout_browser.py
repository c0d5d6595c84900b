"""At 1366 px an organization's contacts table fits its column, long e-mail addresses included, and every
contact's actions are on screen (they used to sit in a last column that was cut off)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from partners.tests.factories import ContactFactory, OrganizationFactory
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contacts_and_their_actions_fit_at_1366_px(page, workgroup, coordinator, artifacts_dir):
    organization = OrganizationFactory(workgroup=workgroup, name="Riverbend County Emergency Communications District")
    for n in range(3):
        ContactFactory(organization=organization, workgroup=workgroup, name=f"Alexandria Montgomery-Whitfield {n}",
                       title="Deputy Director of Emergency Communications and Interoperability",
                       email=f"alexandria.montgomery-whitfield.{n}@riverbend-county-emergency-communications.example",
                       phone="+1 202-555-0143")
    sign_in(page, coordinator)

    page.goto(f"/w/{workgroup.slug}/partners/organizations/{organization.pk}/")
    page.screenshot(path=artifacts_dir / "partners-organization-contacts-1366.png", full_page=True)

    wrapper = page.locator("#contacts + .table-responsive")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth"), "the contacts table scrolls sideways"
    width = page.viewport_size["width"]
    for link in page.get_by_test_id("contact-actions").get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, link.inner_text()
    assert page.get_by_role("link", name="Remove Alexandria Montgomery-Whitfield 2").is_visible()
    assert page.get_by_role("link", name="(202) 555-0143").first.is_visible()


def test_the_raci_matrix_reads_at_21_organizations_four_of_them_alike(page, workgroup, coordinator, artifacts_dir):
    alike = ["Riverbend County Emergency Communications (911)", "Riverbend County Emergency Management",
             "Riverbend County Emergency Medical Services", "Riverbend County Emergency Operations Center"]
    for name in alike + [f"Westbrook Valley Partner Agency {n:02d}" for n in range(17)]:
        OrganizationFactory(workgroup=workgroup, name=name)
    sign_in(page, coordinator)

    page.goto(f"/w/{workgroup.slug}/partners/raci/")
    page.screenshot(path=artifacts_dir / "partners-raci-21-organizations-1366.png", full_page=True)

    headings = page.get_by_test_id("raci-column-label").all_text_contents()
    assert len(headings) == 12 and len(set(headings)) == 12, headings  # the alike four read differently
    wrapper = page.locator(".table-responsive").filter(has=page.get_by_test_id("raci-matrix"))
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth"), "a page of columns scrolls sideways at 1366 px"
    key = page.get_by_test_id("raci-key")
    for name in alike:
        assert key.get_by_role("link", name=name).is_visible()
    # Narrowed to the alike ones by name, the key numbers them 1–4.
    page.get_by_label("Name contains").fill("Riverbend County")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**name=Riverbend*")
    expect(page.get_by_test_id("raci-column-number")).to_have_text(["1", "2", "3", "4"])
