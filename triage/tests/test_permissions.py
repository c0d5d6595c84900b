"""Every triage page × every role, own workgroup and another: status codes and no leaks."""

from __future__ import annotations

import pytest

from toolkit.models import Role
from triage import services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import Node, Option, RiskLevel

READERS = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
EDITORS = {Role.COORDINATOR, Role.MEMBER}
APPROVERS = {Role.COORDINATOR}
SECRET = "Elsewhere Secret Protocol"

# GET pages (relative to /w/<slug>/triage/) and who may open them
PAGES = [
    ("", "read"), ("protocols/{protocol}/", "read"), ("versions/{version}/", "read"),
    ("versions/{version}/scenarios/", "read"), ("versions/{version}/matrix/", "read"),
    ("versions/{version}/simulate/", "read"), ("versions/{version}/diagram.svg", "read"),
    ("versions/{version}/export.json", "read"), ("import/", "edit"),
    ("versions/{version}/edit/", "edit"), ("versions/{version}/nodes/new/", "edit"), ("nodes/{node}/edit/", "edit"),
    ("nodes/{node}/delete/", "edit"), ("nodes/{node}/options/new/", "edit"), ("options/{option}/edit/", "edit"),
    ("options/{option}/delete/", "edit"), ("versions/{version}/risk-levels/new/", "edit"),
    ("risk-levels/{level}/edit/", "edit"), ("versions/{version}/scenarios/new/", "edit"),
    ("scenarios/{scenario}/edit/", "edit"), ("scenarios/{scenario}/delete/", "edit"),
    ("versions/{version}/approvals/new/", "approve"), ("versions/{version}/retire/", "approve"),
]


@pytest.fixture
def ids(workgroup, other_workgroup, people):
    result = {}
    for wg, name, actor in ((workgroup, "Riverbend Protocol", people[Role.COORDINATOR]),
                            (other_workgroup, SECRET, people["outsider"])):
        protocol = services.protocol_create(actor=actor, workgroup=wg, name=name, scenarios=EXAMPLE_SCENARIOS)
        version = protocol.versions.get()
        node = Node.objects.filter(version=version, kind="question").first()
        result[wg.slug] = {
            "protocol": protocol.pk, "version": version.pk, "node": node.pk,
            "option": Option.objects.filter(node=node).first().pk,
            "level": RiskLevel.objects.filter(version=version).first().pk,
            "scenario": version.scenarios.first().pk,
        }
    return result


def _url(slug: str, path: str, ids: dict) -> str:
    return f"/w/{slug}/triage/" + path.format(**ids[slug])


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _allowed(role: str, needs: str) -> bool:
    return needs == "read" or (needs == "edit" and role in EDITORS) or (needs == "approve" and role in APPROVERS)


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_each_role_gets_what_the_matrix_allows_and_never_sees_another_workgroup(
    client, people, ids, workgroup, role, path, needs
):
    client.force_login(people[role])

    response = client.get(_url(workgroup.slug, path, ids))

    if _allowed(role, needs):
        # Approval pages answer a draft with a redirect explaining it is not in review yet.
        assert response.status_code in ({200, 302} if needs == "approve" else {200})
    else:
        assert response.status_code == 403
    assert SECRET not in _body(response)


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_the_outsider_gets_404_on_every_page(client, people, ids, workgroup, path, needs):
    client.force_login(people["outsider"])

    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 404
    assert "Riverbend Protocol" not in _body(response)


@pytest.mark.parametrize(("path", "needs"), [p for p in PAGES if "{" in p[0]])
def test_another_workgroups_ids_through_our_urls_are_not_found(client, people, ids, workgroup, path, needs):
    client.force_login(people[Role.COORDINATOR])

    response = client.get(_url(workgroup.slug, path, {workgroup.slug: ids["elsewhere"]}))

    assert response.status_code == 404
    assert SECRET not in _body(response)


@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, workgroup, path, needs):
    response = client.get(_url(workgroup.slug, path, ids))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
