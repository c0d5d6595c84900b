"""Every agreements page and download × every role, own workgroup and another: status codes and no leaks."""

from __future__ import annotations

import pytest

from agreements import services
from agreements.models import AgreementTemplate
from partners.tests.factories import OrganizationFactory
from toolkit.models import Role

ROLES = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
EDITORS = {Role.COORDINATOR}
EXPORTERS = {Role.COORDINATOR, Role.LEGAL_REVIEWER}
SECRET = "Elsewhere Secret Agreement"

# GET pages relative to /w/<slug>/agreements/, and who may open them
PAGES = [
    ("", "read"), ("library/", "read"), ("{agreement}/", "read"), ("{agreement}/versions/", "read"),
    ("{agreement}/versions/1/", "read"), ("{agreement}/compare/", "read"), ("new/", "edit"),
    ("{agreement}/edit/", "edit"), ("{agreement}/versions/1/export.docx", "export"),
    ("{agreement}/versions/1/export.pdf", "export"),
]


@pytest.fixture
def ids(workgroup, other_workgroup, people):
    result = {}
    for wg, title, actor in ((workgroup, "Riverbend MOU", people[Role.COORDINATOR]),
                             (other_workgroup, SECRET, people["outsider"])):
        services.library_ensure_defaults(workgroup=wg)
        agreement = services.agreement_create(
            actor=actor, workgroup=wg, template=AgreementTemplate.objects.get(workgroup=wg, kind="mou"), title=title,
            parties=[{"organization": OrganizationFactory(workgroup=wg)},
                     {"organization": OrganizationFactory(workgroup=wg)}],
        )
        result[wg.slug] = {"agreement": agreement.pk}
    return result


def _url(slug: str, path: str, ids: dict) -> str:
    return f"/w/{slug}/agreements/" + path.format(**ids[slug])


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _allowed(role: str, needs: str) -> bool:
    return needs == "read" or (needs == "edit" and role in EDITORS) or (needs == "export" and role in EXPORTERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_each_role_gets_what_the_matrix_allows_and_never_sees_another_workgroup(
    client, people, ids, workgroup, role, path, needs
):
    client.force_login(people[role])

    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == (200 if _allowed(role, needs) else 403)
    if not path.endswith((".docx", ".pdf")):
        assert SECRET not in _body(response)


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_the_outsider_gets_404_everywhere(client, people, ids, workgroup, path, needs):
    client.force_login(people["outsider"])

    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 404
    assert "Riverbend MOU" not in _body(response)


@pytest.mark.parametrize(("path", "needs"), [p for p in PAGES if "{" in p[0]])
def test_another_workgroups_agreement_id_through_our_urls_is_not_found(client, people, ids, workgroup, path, needs):
    client.force_login(people[Role.COORDINATOR])

    response = client.get(_url(workgroup.slug, path, {workgroup.slug: ids["elsewhere"]}))

    assert response.status_code == 404


WRITES = ["{agreement}/submit/", "{agreement}/request-changes/", "{agreement}/approve/", "{agreement}/new-draft/",
          "{agreement}/execute/", "{agreement}/versions/1/comments/new/"]


@pytest.mark.parametrize("path", WRITES)
def test_viewers_and_outsiders_cannot_change_anything(client, people, ids, workgroup, path):
    from agreements.models import Agreement, ReviewComment

    before = (list(Agreement.objects.values_list("status", "current_version_number")), ReviewComment.objects.count())
    for person, status in ((people[Role.VIEWER], 403), (people["outsider"], 404)):
        client.force_login(person)
        response = client.post(_url(workgroup.slug, path, ids), {"clause_key": "purpose-scope", "body": "x"})
        assert response.status_code == status
    after = (list(Agreement.objects.values_list("status", "current_version_number")), ReviewComment.objects.count())
    assert after == before


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, workgroup, path, needs):
    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
