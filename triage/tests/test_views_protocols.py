"""Protocol list, protocol history and the version page: allowed, read-only and outsider."""

from __future__ import annotations

from datetime import date

import pytest

from partners.tests.factories import OrganizationFactory
from triage import services
from triage.defaults import CRITERIA, EXAMPLE_SCENARIOS, WEAPON_TEXT, WEAPON_THREAT
from triage.models import Node, Protocol, ProtocolVersion

BASE = "/w/riverbend/triage"


def _protocol(workgroup, actor, name="County crisis triage", **kwargs) -> ProtocolVersion:
    protocol = services.protocol_create(actor=actor, workgroup=workgroup, name=name, **kwargs)
    return protocol.versions.get()


def _approved_in_force(workgroup, coordinator) -> ProtocolVersion:
    version = _protocol(workgroup, coordinator, scenarios=EXAMPLE_SCENARIOS)
    organization = OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center")
    services.signatory_add(actor=coordinator, version=version, organization=organization)
    services.version_submit(actor=coordinator, version=version)
    services.approval_record(actor=coordinator, version=version, organization=organization,
                             approved_on=date(2025, 3, 1), approver_name="Dana Ortiz")
    services.version_approve(actor=coordinator, version=version)
    services.version_put_in_force(actor=coordinator, version=version)
    return version


def test_the_empty_list_explains_protocols_and_offers_a_form_to_editors(client, workgroup, member):
    client.force_login(member)

    page = client.get(f"{BASE}/").content.decode()

    assert "No triage protocol yet" in page
    assert "/guidance/policies-safety-and-triage/" in page
    assert f"{BASE}/protocols/new/" in page
    assert f"{BASE}/import/" in page


def test_a_member_creates_a_protocol_and_sees_v1_with_the_default_tree(client, workgroup, member):
    client.force_login(member)

    response = client.post(f"{BASE}/protocols/new/", {"name": "  County crisis triage ", "description": "All lines"})

    version = ProtocolVersion.objects.get(protocol__name="County crisis triage")
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert version.number == 1 and version.status == "draft"
    page = client.get(response["Location"]).content.decode()
    assert "Version 1 starts from the default tree" in page
    assert 'id="node-911-start"' in page and 'id="node-988-start"' in page  # a first question for each line
    assert WEAPON_TEXT in page
    assert f"{CRITERIA['medical_emergency'].lower()}: yes" in page
    assert "Higher" in page and 'fill="#d55e00"' in page
    assert "The tree passes every check" in page
    assert "Decision tree diagram" in page
    assert f"{BASE}/versions/{version.pk}/simulate/" in page


def test_a_duplicate_name_is_refused_with_the_message(client, workgroup, member):
    _protocol(workgroup, member)
    client.force_login(member)

    response = client.post(f"{BASE}/protocols/new/", {"name": "county crisis TRIAGE"})

    assert response.status_code == 400
    assert "There is already a protocol called" in response.content.decode()
    assert Protocol.objects.count() == 1


def test_the_list_and_history_show_which_version_is_in_force(client, workgroup, coordinator):
    version = _approved_in_force(workgroup, coordinator)
    draft = services.version_new_draft(actor=coordinator, from_version=version, change_summary="Add fentanyl step")
    client.force_login(coordinator)

    index = client.get(f"{BASE}/").content.decode()
    detail = client.get(f"{BASE}/protocols/{version.protocol_id}/").content.decode()
    version_page = client.get(f"{BASE}/versions/{version.pk}/").content.decode()

    assert "v1 in force since" in index
    assert "Add fentanyl step" in detail and f"/versions/{draft.pk}/" in detail
    assert "still in force" in detail
    assert "In force" in version_page and "Approved" in version_page
    assert "node-edit" not in version_page and "/edit/" not in version_page  # approved: nothing to edit


def test_beside_the_diagram_the_pages_link_to_the_tree_in_words_and_the_matrix(client, workgroup, coordinator):
    version = _approved_in_force(workgroup, coordinator)
    client.force_login(coordinator)

    detail = client.get(f"{BASE}/protocols/{version.protocol_id}/").content.decode()
    version_page = client.get(f"{BASE}/versions/{version.pk}/").content.decode()

    matrix = f"{BASE}/versions/{version.pk}/matrix/"
    assert f'href="{BASE}/versions/{version.pk}/#tree-heading"' in detail and f'href="{matrix}"' in detail
    assert 'href="#tree-heading"' in version_page and 'id="tree-heading"' in version_page
    assert f'href="{matrix}"' in version_page and WEAPON_TEXT in version_page


def test_validation_problems_link_to_the_node(client, workgroup, member):
    version = _protocol(workgroup, member)
    services.node_delete(actor=member, node=Node.objects.get(version=version, key="988-out-weapon"))
    client.force_login(member)

    page = client.get(f"{BASE}/versions/{version.pk}/").content.decode()

    assert "list-group-item-danger" in page
    assert f'<a href="#node-988-weapon">The answer “{WEAPON_THREAT}” to “{WEAPON_TEXT}” leads nowhere.</a>' in page
    assert 'id="node-988-weapon"' in page


def test_a_viewer_sees_the_version_but_no_edit_links(client, workgroup, member, viewer):
    version = _protocol(workgroup, member)
    client.force_login(viewer)

    index = client.get(f"{BASE}/").content.decode()
    page = client.get(f"{BASE}/versions/{version.pk}/").content.decode()

    assert "County crisis triage" in index and "New protocol" not in index and "/import/" not in index
    assert WEAPON_TEXT in page
    for fragment in ("/edit/", "/delete/", "/move/", "/nodes/new/", "/options/new/", "/risk-levels/new/",
                     "/rules/new/", "/signatories/new/", "/remove/"):
        assert fragment not in page
    assert client.post(f"{BASE}/protocols/new/", {"name": "Mine"}).status_code == 403


@pytest.mark.parametrize("path", ["/", "/protocols/{protocol}/", "/versions/{version}/"])
def test_an_outsider_gets_404_and_no_protocol_name(client, workgroup, member, outsider, path):
    version = _protocol(workgroup, member, name="Riverbend Secret Protocol")
    client.force_login(outsider)

    response = client.get(BASE + path.format(protocol=version.protocol_id, version=version.pk))

    assert response.status_code == 404
    assert "Riverbend Secret Protocol" not in response.content.decode()


def test_another_workgroups_version_is_not_found(client, workgroup, other_workgroup, member, outsider):
    theirs = _protocol(other_workgroup, outsider, name="Elsewhere Protocol")
    client.force_login(member)

    response = client.get(f"{BASE}/versions/{theirs.pk}/")

    assert response.status_code == 404
    assert "Elsewhere Protocol" not in response.content.decode()
