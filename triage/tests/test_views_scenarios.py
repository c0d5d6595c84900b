"""Scenario tests and the decision-point matrix: allowed, read-only, outsider, and what people see."""

from __future__ import annotations

import pytest
from django.utils.html import strip_tags

from triage import engine, services
from triage.defaults import EXAMPLE_SCENARIOS, RISK_LEVELS
from triage.models import ProtocolVersion, Scenario

BASE = "/w/riverbend/triage"


@pytest.fixture
def draft(workgroup, coordinator) -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


def _break_one_scenario(draft, coordinator) -> Scenario:
    scenario = draft.scenarios.get(name="Overdose reported by a friend")
    return services.scenario_save(actor=coordinator, version=draft, scenario=scenario, expected_route="referral")


def test_the_scenario_list_shows_pass_and_fail_with_the_reason(client, draft, coordinator, viewer):
    _break_one_scenario(draft, coordinator)
    client.force_login(viewer)

    page = client.get(f"{BASE}/versions/{draft.pk}/scenarios/").content.decode()

    assert "7 of 8 pass" in page
    assert page.count(">PASS<") == 7
    assert page.count(">FAIL<") == 1
    assert "EMS / law enforcement with behavioral-health support instead of Referral to community services" in page
    assert "Medical emergency: priority EMS" in page
    assert "No → Yes" in strip_tags(page)  # the firearm scenario's path of answers
    assert "Add scenario" not in page  # viewers read; they do not edit


def test_editors_see_add_edit_and_delete_links_on_a_draft_only(client, draft, member):
    client.force_login(member)

    page = client.get(f"{BASE}/versions/{draft.pk}/scenarios/").content.decode()
    assert "Add scenario" in page and "8 of 8 pass" in page
    assert f"/scenarios/{draft.scenarios.first().pk}/delete/" in page


def test_a_member_adds_a_scenario_by_choosing_answers_without_json(client, draft, member):
    client.force_login(member)
    form = client.get(f"{BASE}/versions/{draft.pk}/scenarios/new/").content.decode()
    assert "Is a weapon present or within reach of the person?" in form
    assert "{" not in form.split("<form")[1].split("</form>")[0].replace("{%", "")  # no JSON to write

    response = client.post(f"{BASE}/versions/{draft.pk}/scenarios/new/", {
        "name": "Threats to a neighbour", "answer__medical": "No", "answer__weapon": "No", "answer__violence": "Yes",
        "answer__suicide": "", "expected_risk_level": "higher", "expected_route": "ems_le_with_bh",
    })

    assert response.status_code == 302
    scenario = draft.scenarios.get(name="Threats to a neighbour")
    assert scenario.answers == {"medical": "No", "weapon": "No", "violence": "Yes"}
    page = client.get(response["Location"]).content.decode()
    assert "Scenario “Threats to a neighbour” saved: PASS" in page
    assert "9 of 9 pass" in page


def test_a_scenario_needs_at_least_one_answer(client, draft, member):
    client.force_login(member)

    response = client.post(f"{BASE}/versions/{draft.pk}/scenarios/new/", {
        "name": "Nothing answered", "expected_risk_level": "low", "expected_route": "referral",
    })

    assert response.status_code == 400  # refused, re-shown with what was typed
    assert "Choose at least one answer" in response.content.decode()
    assert not draft.scenarios.filter(name="Nothing answered").exists()


def test_editing_a_scenario_shows_its_answers_and_saves_changes(client, draft, member):
    scenario = draft.scenarios.get(name="Person with a firearm at home")
    client.force_login(member)

    form = client.get(f"{BASE}/scenarios/{scenario.pk}/edit/").content.decode()
    assert 'value="Person with a firearm at home"' in form
    assert '<option value="Yes" selected>Yes</option>' in form

    data = {"name": "Firearm at home", "answer__medical": "No", "answer__weapon": "Yes",
            "expected_risk_level": "higher", "expected_route": "ems_le_with_bh"}
    assert client.post(f"{BASE}/scenarios/{scenario.pk}/edit/", data).status_code == 302
    scenario.refresh_from_db()
    assert scenario.name == "Firearm at home"


def test_deleting_a_scenario_asks_first(client, draft, member):
    scenario = draft.scenarios.first()
    client.force_login(member)

    assert "Delete the scenario" in client.get(f"{BASE}/scenarios/{scenario.pk}/delete/").content.decode()
    assert Scenario.objects.filter(pk=scenario.pk).exists()
    client.post(f"{BASE}/scenarios/{scenario.pk}/delete/")
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_scenarios_of_an_approved_version_cannot_be_changed_through_the_pages(client, draft, coordinator):
    services.version_submit(actor=coordinator, version=draft)
    scenario = draft.scenarios.first()
    client.force_login(coordinator)

    response = client.post(f"{BASE}/scenarios/{scenario.pk}/delete/", follow=True)

    assert "cannot be changed" in response.content.decode()
    assert Scenario.objects.filter(pk=scenario.pk).exists()


@pytest.mark.parametrize("url", ["versions/{v}/scenarios/new/", "scenarios/{s}/edit/", "scenarios/{s}/delete/"])
def test_viewers_may_not_edit_scenarios_and_outsiders_see_nothing(client, draft, viewer, outsider, url):
    url = f"{BASE}/" + url.format(v=draft.pk, s=draft.scenarios.first().pk)
    client.force_login(viewer)
    assert client.post(url, {"name": "x"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"{BASE}/versions/{draft.pk}/matrix/").status_code == 404
    assert client.get(f"{BASE}/versions/{draft.pk}/scenarios/").status_code == 404
    assert draft.scenarios.count() == 8


def test_the_matrix_lists_the_criteria_and_finds_no_contradiction_in_the_default_tree(client, draft, viewer):
    client.force_login(viewer)

    page = client.get(f"{BASE}/versions/{draft.pk}/matrix/").content.decode()

    for label in ("Weapon present or within reach", "Danger to others", "Caller consents to transfer"):
        assert f"<th scope=\"col\">{label}</th>" in page
    assert "No contradictions" in page
    assert "generated from the decision tree" in page
    assert "911 → 988 transfer" in page


def test_the_matrix_shows_a_contradiction_in_red(client, workgroup, coordinator, viewer):
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Tiny")
    draft = protocol.versions.get()
    q, o = engine.QUESTION, engine.OUTCOME
    services.write_tree(version=draft, tree=engine.Tree(
        nodes={
            "armed": engine.NodeSpec("armed", q, "Armed?", root=True, options=(
                engine.OptionSpec("Yes", "again", {"weapon": True}), engine.OptionSpec("No", "calm", {"weapon": False}),
            )),
            "again": engine.NodeSpec("again", q, "Still armed?", options=(
                engine.OptionSpec("No", "police", {"weapon": False}),
            )),
            "calm": engine.NodeSpec("calm", q, "Calm?", options=(
                engine.OptionSpec("Yes", "remote"), engine.OptionSpec("No", "mobile"),
            )),
            "police": engine.NodeSpec("police", o, "Police", risk_level="higher", route="ems_le_with_bh"),
            "remote": engine.NodeSpec("remote", o, "Remote", risk_level="low", route="988_remote"),
            "mobile": engine.NodeSpec("mobile", o, "Mobile", risk_level="low", route="988_mobile_crisis"),
        },
        risk_levels=RISK_LEVELS, criteria={"weapon": "Weapon present"}, reassessment_guidance="Ask again.",
    ))
    client.force_login(viewer)

    page = client.get(f"{BASE}/versions/{draft.pk}/matrix/").content.decode()

    assert "No contradictions" not in page
    assert "alert-danger" in page
    assert "says both yes and no to “Weapon present”" in page
    assert "settle the criteria the same way but end in different routes" in page
