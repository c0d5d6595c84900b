"""Organization, contact and sector pages: allowed, read-only, outsider, and nothing lost on bad input."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from partners.models import Contact, Organization, Sector
from partners.tests.factories import ContactFactory, OrganizationFactory, sector

BASE = "/w/riverbend/partners"


def _org_form(workgroup, **extra):
    data = {
        "name": "Riverbend Mobile Crisis", "sector": sector(workgroup, "mobile-crisis").pk, "org_type": "provider",
        "jurisdiction": "Riverbend County", "website": "", "engagement_status": "engaged",
        "influence": "4", "impact": "5", "interest": "5", "current_engagement": "supportive",
        "desired_engagement": "leading", "rating_evidence": "", "last_reviewed": "", "notes": "",
    }
    data.update(extra)
    return data


def test_a_member_adds_an_organization_and_lands_on_its_page(client, workgroup, member):
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/new/", _org_form(workgroup))

    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organization.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Riverbend Mobile Crisis is on the map" in page
    assert "raise by 1" in page


def test_a_duplicate_name_is_refused_and_everything_typed_is_kept(client, workgroup, member):
    OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis")
    client.force_login(member)

    response = client.post(
        f"{BASE}/organizations/new/", _org_form(workgroup, name="riverbend mobile crisis", notes="Met on 3 May")
    )

    page = response.content.decode()
    assert response.status_code == 400  # an invalid form answers 400 in every app
    assert "already on the map" in page
    assert "Met on 3 May" in page
    assert 'value="riverbend mobile crisis"' in page
    assert Organization.objects.count() == 1


def test_a_score_outside_1_to_5_is_refused(client, workgroup, member):
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/new/", _org_form(workgroup, influence="7"))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Organization.objects.exists()


def test_posting_a_sector_of_another_workgroup_is_refused(client, workgroup, other_workgroup, member):
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/new/", _org_form(workgroup, sector=sector(other_workgroup).pk))

    assert "Select a valid choice" in response.content.decode()
    assert not Organization.objects.exists()


def test_the_sector_choices_list_only_this_workgroups_sectors(client, workgroup, other_workgroup, member):
    custom = Sector.objects.create(workgroup=other_workgroup, key="secret", name="Elsewhere Secret Sector")
    client.force_login(member)

    page = client.get(f"{BASE}/organizations/new/").content.decode()

    assert "988 center leadership" in page
    assert custom.name not in page


@pytest.mark.parametrize("person", ["viewer", "legal_reviewer", "qa_reviewer"])
def test_readers_see_an_organization_but_cannot_change_it(client, workgroup, request, person):
    organization = OrganizationFactory(workgroup=workgroup, name="County 911")
    client.force_login(request.getfixturevalue(person))

    detail = client.get(organization.get_absolute_url())

    assert detail.status_code == 200
    assert "County 911" in detail.content.decode()
    assert "Edit</a>" not in detail.content.decode()
    assert client.get(f"{BASE}/organizations/new/").status_code == 403
    assert client.post(f"{BASE}/organizations/{organization.pk}/edit/", _org_form(workgroup)).status_code == 403
    assert client.post(f"{BASE}/organizations/{organization.pk}/delete/").status_code == 403
    assert Organization.objects.get().name == "County 911"


def test_the_outsider_finds_nothing(client, workgroup, outsider):
    organization = OrganizationFactory(workgroup=workgroup, name="County 911")
    contact = ContactFactory(organization=organization)
    client.force_login(outsider)

    for url in (organization.get_absolute_url(), f"{BASE}/organizations/{organization.pk}/edit/",
                f"{BASE}/contacts/{contact.pk}/edit/", f"{BASE}/", f"{BASE}/sectors/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "County 911" not in response.content.decode()


def test_an_organization_of_another_workgroup_is_not_found_through_ours(client, workgroup, other_workgroup, member):
    foreign = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret Org")
    client.force_login(member)

    assert client.get(f"{BASE}/organizations/{foreign.pk}/").status_code == 404
    assert client.post(f"{BASE}/organizations/{foreign.pk}/contacts/new/", {"name": "Spy"}).status_code == 404
    assert client.post(f"{BASE}/organizations/{foreign.pk}/delete/").status_code == 404
    assert Organization.objects.filter(pk=foreign.pk).exists()
    assert not Contact.objects.exists()


def test_deleting_asks_first_then_removes(client, workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup, name="Old Partner")
    client.force_login(member)

    confirm = client.get(f"{BASE}/organizations/{organization.pk}/delete/")
    assert "Remove Old Partner from the partner map?" in confirm.content.decode()
    assert Organization.objects.exists()
    client.post(f"{BASE}/organizations/{organization.pk}/delete/")
    assert not Organization.objects.exists()


def _contact_form(**extra):
    data = {"name": "Dana Whitfield", "title": "Director", "email": "dana@crisis.test", "phone": "(202) 555-0143",
            "workgroup_role": "voting", "turnover_risk": "high", "lived_experience_consent": ""}
    data.update(extra)
    return data


def test_phones_show_in_one_format_national_at_home_and_international_abroad(client, workgroup, viewer):
    organization = OrganizationFactory(workgroup=workgroup)
    ContactFactory(organization=organization, workgroup=workgroup, name="Home", phone="+1 202-555-0143")
    ContactFactory(organization=organization, workgroup=workgroup, name="Abroad", phone="+44 20 7946 0958")
    client.force_login(viewer)

    page = client.get(f"{BASE}/organizations/{organization.pk}/").content.decode()
    directory = client.get(f"{BASE}/organizations/").content.decode()

    for shown in (page, directory):
        assert '<a href="tel:+12025550143" class="text-nowrap">(202) 555-0143</a>' in shown
        assert '<a href="tel:+442079460958" class="text-nowrap">+44 20 7946 0958</a>' in shown
        assert "+1 202-555-0143<" not in shown


def test_a_contact_is_added_with_the_phone_stored_in_international_format(client, workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup)
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/{organization.pk}/contacts/new/", _contact_form(is_primary="on"))

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert contact.phone == "+1 202-555-0143"
    assert contact.is_primary
    assert contact.history.first().history_user == member


def test_a_bad_phone_or_missing_consent_is_explained_and_nothing_typed_is_lost(client, workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup)
    client.force_login(member)

    response = client.post(
        f"{BASE}/organizations/{organization.pk}/contacts/new/",
        _contact_form(phone="555-01", lived_experience="on"),
    )

    page = response.content.decode()
    assert "not a valid phone number" in page
    assert "Note when and how the person agreed" in page
    assert 'value="Dana Whitfield"' in page
    assert 'value="dana@crisis.test"' in page
    assert not Contact.objects.exists()


def test_a_member_adds_a_custom_sector_and_a_duplicate_is_explained(client, workgroup, member):
    client.force_login(member)

    client.post(f"{BASE}/sectors/new/", {"name": "Faith communities", "why": ""})
    response = client.post(f"{BASE}/sectors/new/", {"name": "FAITH communities", "why": "Places people trust"})

    assert response.status_code == 400
    assert "already a sector" in response.content.decode()
    assert "Places people trust" in response.content.decode()
    assert Sector.objects.filter(workgroup=workgroup, tier="custom").count() == 1


def test_a_viewer_sees_sectors_but_cannot_add_one(client, workgroup, viewer):
    client.force_login(viewer)

    page = client.get(f"{BASE}/sectors/").content.decode()

    assert "Mobile crisis provider" in page
    assert "Add a sector" not in page
    assert client.post(f"{BASE}/sectors/new/", {"name": "X"}).status_code == 403


def test_the_dashboard_card_lists_missing_core_sectors_with_a_link_to_why(client, workgroup, coordinator):
    OrganizationFactory(workgroup=workgroup, sector=sector(workgroup, "988-center"))
    client.force_login(coordinator)

    page = client.get("/w/riverbend/").content.decode()

    assert "Core sectors covered: 1/11" in page
    assert "Missing core sector: Mobile crisis provider" in page
    assert "Missing core sector: 988 center leadership" not in page
    assert "/guidance/key-partners-and-readiness/" in page


def _loaded_at(page) -> str:
    """The hidden time the edit page sends back, read from the page as a browser would."""
    import re

    found = re.search(r'name="loaded_at" value="([^"]+)"', page.content.decode())
    assert found, "the edit page does not carry loaded_at"
    return html.unescape(found.group(1))


def _two_editors(url, one, other):
    """Two people signed in on their own clients, each having opened the same edit page."""
    first, second = Client(), Client()
    first.force_login(one)
    second.force_login(other)
    return first, second, first.get(url), second.get(url)


def test_a_second_editor_working_from_an_older_copy_is_refused_with_their_text_kept(client, workgroup, coordinator,
                                                                                    member):
    """Two people save the same organization: the later save of an older copy does not undo the first."""
    organization = OrganizationFactory(workgroup=workgroup, name="Riverbend 911", notes="")
    url = f"/w/{workgroup.slug}/partners/organizations/{organization.pk}/edit/"
    first, second, page_a, page_b = _two_editors(url, coordinator, member)

    def posted(page, **changes):
        form = page.context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None and name != "loaded_at"}
        data.update(sector=organization.sector_id, loaded_at=_loaded_at(page), **changes)
        return data

    assert first.post(url, posted(page_a, notes="Covers the north county.")).status_code == 302
    refused = second.post(url, posted(page_b, notes="Night shift lead changed."))

    assert refused.status_code == 400
    text = html.unescape(refused.content.decode())
    assert f"{coordinator.get_full_name()} saved this organization at" in text
    assert "Night shift lead changed." in text  # what the second person typed is still there
    organization.refresh_from_db()
    assert organization.notes == "Covers the north county."

    again = second.post(url, {**posted(page_b, notes="Night shift lead changed."), "loaded_at": _loaded_at(refused)})
    assert again.status_code == 302  # saving again, having seen the message, keeps their text
    organization.refresh_from_db()
    assert organization.notes == "Night shift lead changed."


def test_a_contact_saved_meanwhile_by_someone_else_refuses_the_older_copy(client, workgroup, coordinator, member):
    contact = ContactFactory(organization=OrganizationFactory(workgroup=workgroup), title="Director")
    url = f"/w/{workgroup.slug}/partners/contacts/{contact.pk}/edit/"
    first, second, page_a, page_b = _two_editors(url, coordinator, member)

    def posted(page, **changes):
        data = {name: value for name, value in page.context["form"].initial.items()
                if value not in (None, False) and name != "loaded_at"}
        return {**data, "loaded_at": _loaded_at(page), **changes}

    assert first.post(url, posted(page_a, title="Deputy director")).status_code == 302
    refused = second.post(url, posted(page_b, title="Shift supervisor"))

    assert refused.status_code == 400
    assert "saved this contact at" in html.unescape(refused.content.decode())
    contact.refresh_from_db()
    assert contact.title == "Deputy director"
