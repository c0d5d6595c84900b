"""Editing a draft's tree in the browser: nodes, answers, order, risk levels; refusals and tampering."""

from __future__ import annotations

from datetime import date

import pytest

from partners.tests.factories import OrganizationFactory
from triage import services
from triage.defaults import CRITERIA, EXAMPLE_SCENARIOS, NODES, WEAPON_TEXT, WEAPON_THREAT
from triage.models import Node, Option, ProtocolVersion, RiskLevel

BASE = "/w/riverbend/triage"
# The question the tests edit, and the outcome its first answer (a weapon with a threat) leads to.
WEAPON, WEAPON_OUTCOME = "988-weapon", "988-out-weapon"
WEAPON_LABELS = [option.label for node in NODES if node.key == WEAPON for option in node.options]


def _version(workgroup, actor, name="County crisis triage", **kwargs) -> ProtocolVersion:
    return services.protocol_create(actor=actor, workgroup=workgroup, name=name, **kwargs).versions.get()


def _approved(workgroup, coordinator) -> ProtocolVersion:
    version = _version(workgroup, coordinator, scenarios=EXAMPLE_SCENARIOS)
    organization = OrganizationFactory(workgroup=workgroup)
    services.signatory_add(actor=coordinator, version=version, organization=organization)
    services.version_submit(actor=coordinator, version=version)
    services.approval_record(actor=coordinator, version=version, organization=organization,
                             approved_on=date(2025, 3, 1), approver_name="Dana Ortiz")
    return services.version_approve(actor=coordinator, version=version)


def _node(version, key) -> Node:
    return Node.objects.get(version=version, key=key)


def test_a_member_adds_a_question_an_outcome_and_an_answer_linking_them(client, workgroup, member):
    version = _version(workgroup, member)
    low = RiskLevel.objects.get(version=version, key="low")
    client.force_login(member)

    response = client.post(f"{BASE}/versions/{version.pk}/nodes/new/", {
        "kind": "question", "text": "Is the person a veteran?", "guidance": "Offer the Veterans Crisis Line.",
    })
    question = Node.objects.get(version=version, text="Is the person a veteran?")
    assert response.status_code == 302
    assert response["Location"] == f"{version.get_absolute_url()}#node-{question.key}"

    client.post(f"{BASE}/versions/{version.pk}/nodes/new/", {
        "kind": "outcome", "text": "Offer the Veterans Crisis Line", "risk_level": low.pk, "route": "988_remote",
        "actions": "Press 1 on 988.",
    })
    outcome = Node.objects.get(version=version, text="Offer the Veterans Crisis Line")
    assert (outcome.kind, outcome.risk_level, outcome.route) == ("outcome", low, "988_remote")

    response = client.post(f"{BASE}/nodes/{question.pk}/options/new/", {
        "label": "Yes", "next_node": outcome.pk, "criterion_caller_consents": "yes",
        "criterion_weapon_with_intent": "no", "criterion_danger_to_others": "",
    })
    option = Option.objects.get(node=question)
    assert response.status_code == 302
    assert (option.label, option.next_node, option.criteria) == (
        "Yes", outcome, {"caller_consents": True, "weapon_with_intent": False})
    page = client.get(version.get_absolute_url()).content.decode()
    assert f"{CRITERIA['caller_consents'].lower()}: yes" in page
    assert f"{CRITERIA['weapon_with_intent'].lower()}: no" in page


def test_the_answer_form_groups_next_steps_and_excludes_the_question_itself(client, workgroup, member):
    version = _version(workgroup, member)
    client.force_login(member)

    page = client.get(f"{BASE}/nodes/{_node(version, WEAPON).pk}/options/new/").content.decode()

    assert '<optgroup label="Questions">' in page and '<optgroup label="Outcomes">' in page
    assert f'value="{_node(version, WEAPON).pk}"' not in page
    assert f'value="{_node(version, WEAPON_OUTCOME).pk}"' in page


def test_answers_are_reordered_up_and_down(client, workgroup, member):
    version = _version(workgroup, member)
    weapon = _node(version, WEAPON)
    threat, access, none = weapon.options.order_by("order")
    assert [threat.label, access.label, none.label] == WEAPON_LABELS
    client.force_login(member)

    response = client.post(f"{BASE}/options/{none.pk}/move/", {"direction": "up"})

    assert response.status_code == 302
    assert response["Location"] == f"{version.get_absolute_url()}#node-{WEAPON}"
    assert [o.label for o in weapon.options.order_by("order", "pk")] == [threat.label, none.label, access.label]
    client.post(f"{BASE}/options/{none.pk}/move/", {"direction": "down"})
    assert [o.label for o in weapon.options.order_by("order", "pk")] == WEAPON_LABELS


def test_editing_an_approved_version_is_refused_with_the_message_and_nothing_changes(client, workgroup, coordinator):
    version = _approved(workgroup, coordinator)
    weapon = _node(version, WEAPON)
    option = weapon.options.order_by("order").last()
    client.force_login(coordinator)

    response = client.post(f"{BASE}/nodes/{weapon.pk}/edit/", {"text": "Changed?", "guidance": ""})
    assert response.status_code == 400
    assert "Version 1 is approved: it cannot be changed." in response.content.decode()
    weapon.refresh_from_db()
    assert weapon.text == WEAPON_TEXT

    response = client.get(f"{BASE}/nodes/{weapon.pk}/edit/", follow=True)
    assert "Version 1 is approved: it cannot be changed." in response.content.decode()

    response = client.post(f"{BASE}/options/{option.pk}/move/", {"direction": "up"}, follow=True)
    assert "cannot be changed" in response.content.decode()
    assert [o.label for o in weapon.options.order_by("order", "pk")] == WEAPON_LABELS

    response = client.post(f"{BASE}/nodes/{weapon.pk}/delete/", follow=True)
    assert "cannot be changed" in response.content.decode()
    assert Node.objects.filter(pk=weapon.pk).exists()

    response = client.post(f"{BASE}/versions/{version.pk}/edit/", {"change_summary": "x", "reassessment_guidance": ""})
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.reassessment_guidance


def test_a_next_node_or_risk_level_of_another_version_is_an_invalid_choice(
    client, workgroup, other_workgroup, member, outsider
):
    version = _version(workgroup, member)
    other_version = _version(workgroup, member, name="Second protocol")
    elsewhere = _version(other_workgroup, outsider, name="Elsewhere protocol")
    weapon = _node(version, WEAPON)
    client.force_login(member)

    for foreign in (_node(other_version, WEAPON_OUTCOME), _node(elsewhere, WEAPON_OUTCOME)):
        response = client.post(f"{BASE}/nodes/{weapon.pk}/options/new/", {"label": "Maybe", "next_node": foreign.pk})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert not Option.objects.filter(label="Maybe").exists()

    for foreign in (RiskLevel.objects.get(version=other_version, key="low"),
                    RiskLevel.objects.get(version=elsewhere, key="low")):
        response = client.post(f"{BASE}/nodes/{_node(version, WEAPON_OUTCOME).pk}/edit/", {
            "text": "Tampered", "risk_level": foreign.pk, "route": "referral",
        })
        assert response.status_code == 400
    assert not Node.objects.filter(text="Tampered").exists()


def test_deleting_a_node_lists_the_answers_that_lead_to_it_first(client, workgroup, member):
    version = _version(workgroup, member)
    outcome = _node(version, WEAPON_OUTCOME)
    client.force_login(member)

    page = client.get(f"{BASE}/nodes/{outcome.pk}/delete/").content.decode()
    assert f"“{WEAPON_THREAT}” to" in page and WEAPON_TEXT in page
    assert Node.objects.filter(pk=outcome.pk).exists()

    response = client.post(f"{BASE}/nodes/{outcome.pk}/delete/", follow=True)
    assert not Node.objects.filter(pk=outcome.pk).exists()
    assert f'href="#node-{WEAPON}"' in response.content.decode()


def test_an_answer_is_edited_and_deleted_after_confirmation(client, workgroup, member):
    version = _version(workgroup, member)
    option = _node(version, WEAPON).options.get(label=WEAPON_THREAT)
    client.force_login(member)

    page = client.get(f"{BASE}/options/{option.pk}/edit/").content.decode()
    assert 'selected>Yes</option>' in page  # weapon_with_intent criterion shown as set
    client.post(f"{BASE}/options/{option.pk}/edit/", {"label": "Yes, or can get one",
                                                      "next_node": _node(version, WEAPON_OUTCOME).pk})
    option.refresh_from_db()
    assert option.label == "Yes, or can get one" and option.criteria == {}

    assert client.get(f"{BASE}/options/{option.pk}/delete/").status_code == 200
    client.post(f"{BASE}/options/{option.pk}/delete/")
    assert not Option.objects.filter(pk=option.pk).exists()


def test_risk_levels_are_added_and_renamed_with_a_colour(client, workgroup, coordinator):
    version = _version(workgroup, coordinator)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{version.pk}/risk-levels/new/", {
        "name": "Critical", "description": "Life threatening", "default_response": "Everyone",
        "responder_types": "EMS", "colour": "#cc79a7",
    })
    assert response.status_code == 302
    level = RiskLevel.objects.get(version=version, name="Critical")
    assert level.colour == "#cc79a7"

    page = client.get(f"{BASE}/risk-levels/{level.pk}/edit/").content.decode()
    assert 'type="color"' in page
    response = client.post(f"{BASE}/risk-levels/{level.pk}/edit/", {"name": "Critical", "colour": "red"})
    assert response.status_code == 400
    client.post(f"{BASE}/risk-levels/{level.pk}/edit/", {"name": "Most urgent", "colour": "#000000"})
    level.refresh_from_db()
    assert (level.name, level.colour) == ("Most urgent", "#000000")


def test_version_summary_and_reassessment_are_edited(client, workgroup, member):
    version = _version(workgroup, member)
    client.force_login(member)

    client.post(f"{BASE}/versions/{version.pk}/edit/", {"change_summary": "Adapted for Riverbend",
                                                        "reassessment_guidance": "Every 10 minutes."})

    version.refresh_from_db()
    assert (version.change_summary, version.reassessment_guidance) == ("Adapted for Riverbend", "Every 10 minutes.")


def _edit_urls(version):
    node = _node(version, WEAPON)
    option = node.options.first()
    level = version.risk_levels.first()
    return [f"/versions/{version.pk}/edit/", f"/versions/{version.pk}/nodes/new/", f"/nodes/{node.pk}/edit/",
            f"/nodes/{node.pk}/delete/", f"/nodes/{node.pk}/options/new/", f"/options/{option.pk}/edit/",
            f"/options/{option.pk}/delete/", f"/versions/{version.pk}/risk-levels/new/",
            f"/risk-levels/{level.pk}/edit/"]


def test_a_viewer_gets_403_on_every_edit_url(client, workgroup, member, viewer):
    version = _version(workgroup, member)
    client.force_login(viewer)

    for path in _edit_urls(version):
        assert client.get(BASE + path).status_code == 403, path
    option = _node(version, WEAPON).options.first()
    assert client.post(f"{BASE}/options/{option.pk}/move/", {"direction": "up"}).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_edit_url_and_no_leak(client, workgroup, member, outsider, method):
    version = _version(workgroup, member, name="Riverbend Secret Protocol")
    client.force_login(outsider)

    for path in _edit_urls(version):
        response = getattr(client, method)(BASE + path)
        assert response.status_code == 404, path
        assert "Riverbend Secret Protocol" not in response.content.decode()
    assert Node.objects.filter(version=version, key=WEAPON).exists()


def test_another_workgroups_rows_are_not_found_for_a_member(client, workgroup, other_workgroup, member, outsider):
    elsewhere = _version(other_workgroup, outsider, name="Elsewhere protocol")
    client.force_login(member)

    for path in _edit_urls(elsewhere):
        assert client.get(BASE + path).status_code == 404, path


def test_an_empty_post_to_a_form_is_an_invalid_form_not_a_fresh_page(client, workgroup, member):
    version = _version(workgroup, member)
    node = _node(version, WEAPON)
    client.force_login(member)
    forms = [f"/versions/{version.pk}/nodes/new/", f"/nodes/{node.pk}/edit/", f"/nodes/{node.pk}/options/new/",
             f"/options/{node.options.first().pk}/edit/", f"/versions/{version.pk}/risk-levels/new/",
             f"/risk-levels/{version.risk_levels.first().pk}/edit/", f"/versions/{version.pk}/scenarios/new/",
             "/import/"]

    for path in forms:
        response = client.post(BASE + path, {})
        assert response.status_code == 400, path
        assert "This field is required" in response.content.decode() or "Choose at least one" in \
            response.content.decode(), path
    assert client.post(f"{BASE}/options/{node.options.first().pk}/move/", {}).status_code == 400


def test_the_read_only_pages_take_no_post(client, workgroup, member):
    version = _version(workgroup, member)
    client.force_login(member)

    for path in ("/", f"/protocols/{version.protocol_id}/", f"/versions/{version.pk}/",
                 f"/versions/{version.pk}/scenarios/", f"/versions/{version.pk}/matrix/",
                 f"/versions/{version.pk}/rules/",
                 f"/versions/{version.pk}/simulate/", f"/versions/{version.pk}/diagram.svg",
                 f"/versions/{version.pk}/export.json"):
        assert client.post(BASE + path, {}).status_code == 405, path
