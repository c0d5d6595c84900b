"""At 1366 px an organization's contacts table fits its column, long e-mail addresses included, and every
contact's actions are on screen (they used to sit in a last column that was cut off)."""

from __future__ import annotations

import pytest

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
