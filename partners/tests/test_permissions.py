"""Every partner map page × every role, own workgroup and another: status codes and no leaks."""

from __future__ import annotations

import pytest

from partners import services
from partners.models import DirectoryImport, InteropFunction
from partners.tests.factories import ContactFactory, OrganizationFactory
from toolkit.models import Role

READERS = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
EDITORS = {Role.COORDINATOR, Role.MEMBER}
SECRET_ORG = "Elsewhere Secret Org"
SECRET_CONTACT = "Elsewhere Secret Person"

# path (relative to /w/<slug>/partners/), who may GET it: "read" = every member, "edit" = editors
PAGES = [
    ("", "read"), ("organizations/", "read"), ("organizations/?q=Secret", "read"), ("organizations/new/", "edit"),
    ("organizations/{org}/", "read"), ("organizations/{org}/edit/", "edit"), ("organizations/{org}/delete/", "edit"),
    ("organizations/{org}/contacts/new/", "edit"), ("contacts/{contact}/edit/", "edit"),
    ("contacts/{contact}/delete/", "edit"), ("contacts/{contact}/vcard/", "read"), ("sectors/", "read"),
    ("coverage/", "read"), ("grid/", "read"), ("grid.svg", "read"), ("raci/", "read"), ("export.csv", "read"),
    ("import/", "edit"), ("import/{import}/", "edit"),
    ("raci/functions/{function}/edit/", "edit"), ("raci/functions/{function}/delete/", "edit"),
]


@pytest.fixture
def ids(workgroup, other_workgroup, people):
    """One of everything in each workgroup; the other workgroup's rows carry secret names."""
    result = {}
    for wg, org_name, contact_name in ((workgroup, "Riverbend Partner", "Riverbend Person"),
                                       (other_workgroup, SECRET_ORG, SECRET_CONTACT)):
        services.partner_map_create_defaults(workgroup=wg)
        organization = OrganizationFactory(workgroup=wg, name=org_name)
        contact = ContactFactory(organization=organization, name=contact_name)
        function = InteropFunction.objects.filter(workgroup=wg).first()
        actor = people[Role.COORDINATOR] if wg == workgroup else people["outsider"]
        services.raci_set(actor=actor,
                          function=function, organization=organization, role="A")
        upload = DirectoryImport.objects.create(workgroup=wg, filename="x.csv")
        result[wg.slug] = {"org": organization.pk, "contact": contact.pk, "import": upload.pk, "function": function.pk}
    return result


def _url(slug: str, path: str, ids: dict) -> str:
    return f"/w/{slug}/partners/" + path.format(**ids[slug])


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_each_role_gets_what_the_matrix_allows_and_never_sees_another_workgroup(
    client, people, ids, workgroup, role, path, needs
):
    client.force_login(people[role])

    response = client.get(_url(workgroup.slug, path, ids))

    expected = 200 if needs == "read" or role in EDITORS else 403
    assert response.status_code == expected
    body = _body(response)
    assert SECRET_ORG not in body
    assert SECRET_CONTACT not in body


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_the_outsider_gets_404_on_every_page_of_our_map(client, people, ids, workgroup, path, needs):
    client.force_login(people["outsider"])

    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 404
    assert "Riverbend Partner" not in _body(response)


@pytest.mark.parametrize(("path", "needs"), [p for p in PAGES if "{" in p[0]])
def test_another_workgroups_row_ids_through_our_urls_are_not_found(client, people, ids, workgroup, path, needs):
    client.force_login(people[Role.COORDINATOR])
    foreign_ids = {workgroup.slug: ids["elsewhere"]}

    response = client.get(_url(workgroup.slug, path, foreign_ids))

    assert response.status_code == 404
    assert SECRET_ORG not in _body(response)


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, workgroup, path, needs):
    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
