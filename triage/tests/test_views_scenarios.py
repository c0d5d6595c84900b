"""Scenario tests and the decision-point matrix: allowed, read-only, outsider, and what people see."""

from __future__ import annotations

import pytest
from django.utils.html import strip_tags

from partners.tests.factories import OrganizationFactory
from triage import engine, services
from triage.defaults import CRITERIA, EXAMPLE_SCENARIOS, NO, RISK_LEVELS, WEAPON_ACCESS, WEAPON_NONE, YES, default_tree
from triage.models import ProtocolVersion, Route, Scenario

BASE = "/w/riverbend/triage"
TOTAL = len(EXAMPLE_SCENARIOS)
BROKEN = "911: overdose reported by a friend"  # ends at EMS
FIREARM = "988: firearm at home, no threat, accepts phone support"
CRISIS_988 = default_tree().entry("988").options[0].label


@pytest.fixture
def draft(workgroup, coordinator) -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


def _break_one_scenario(draft, coordinator) -> Scenario:
    scenario = draft.scenarios.get(name=BROKEN)
    return services.scenario_save(actor=coordinator, version=draft, scenario=scenario, expected_route="referral")


def test_the_scenario_list_shows_pass_and_fail_with_the_reason(client, draft, coordinator, viewer):
    _break_one_scenario(draft, coordinator)
    client.force_login(viewer)

    page = client.get(f"{BASE}/versions/{draft.pk}/scenarios/").content.decode()

    assert f"{TOTAL - 1} of {TOTAL} pass" in page
    assert page.count(">PASS<") == TOTAL - 1
    assert page.count(">FAIL<") == 1
    assert "EMS instead of Referral to community services" in page
    assert "Medical emergency: EMS" in page
    [(_, answers, _, _, line)] = [s for s in EXAMPLE_SCENARIOS if s[0] == FIREARM]
    steps = engine.evaluate(default_tree(), answers, line).steps
    assert " → ".join(step.answer.label for step in steps) in strip_tags(page)  # the firearm scenario's path
    for line in ("911", "988"):  # each scenario names its line
        assert page.count(f">on {line}</span>") == sum(1 for s in EXAMPLE_SCENARIOS if s[4] == line)
    assert "Add scenario" not in page  # viewers read; they do not edit


def test_editors_see_add_edit_and_delete_links_on_a_draft_only(client, draft, member):
    client.force_login(member)

    page = client.get(f"{BASE}/versions/{draft.pk}/scenarios/").content.decode()
    assert "Add scenario" in page and f"{TOTAL} of {TOTAL} pass" in page
    assert f"/scenarios/{draft.scenarios.first().pk}/delete/" in page


def test_a_member_adds_a_scenario_by_choosing_answers_without_json(client, draft, member):
    client.force_login(member)
    form = client.get(f"{BASE}/versions/{draft.pk}/scenarios/new/").content.decode()
    assert "Is there a weapon or other lethal means where the person is?" in form
    assert "The call arrives on" in form
    assert "{" not in form.split("<form")[1].split("</form>")[0].replace("{%", "")  # no JSON to write

    response = client.post(f"{BASE}/versions/{draft.pk}/scenarios/new/", {
        "name": "Threats to a neighbour", "line": "988", "answer__988-start": CRISIS_988,
        "answer__988-medical": NO, "answer__988-weapon": WEAPON_NONE, "answer__988-others": YES,
        "answer__988-suicide": "", "expected_risk_level": "higher", "expected_route": "988_to_911",
    })

    assert response.status_code == 302
    scenario = draft.scenarios.get(name="Threats to a neighbour")
    assert scenario.answers == {"988-start": CRISIS_988, "988-medical": NO, "988-weapon": WEAPON_NONE,
                                "988-others": YES}
    assert scenario.line == "988"
    page = client.get(response["Location"]).content.decode()
    assert "Scenario “Threats to a neighbour” saved: PASS" in page
    assert f"{TOTAL + 1} of {TOTAL + 1} pass" in page


def test_a_scenario_on_the_wrong_line_fails_with_where_it_ends(client, draft, member):
    client.force_login(member)

    response = client.post(f"{BASE}/versions/{draft.pk}/scenarios/new/", {
        "name": "Threats on 911", "line": "911", "answer__988-start": CRISIS_988, "answer__988-medical": NO,
        "expected_risk_level": "higher", "expected_route": "988_to_911",
    })

    assert response.status_code == 302  # saved, and shown failing: 911 calls never reach the 988 questions
    page = client.get(response["Location"]).content.decode()
    assert "Scenario “Threats on 911” saved: FAIL" in page
    assert f"{TOTAL} of {TOTAL + 1} pass" in page


def test_only_a_call_outside_the_protocol_may_have_no_risk_level(client, draft, member):
    client.force_login(member)
    url = f"{BASE}/versions/{draft.pk}/scenarios/new/"
    start = default_tree().entry("988")
    crash = start.options[2].label  # an emergency that is not a crisis

    refused = client.post(url, {"name": "No level", "line": "988", "answer__988-start": crash,
                                "expected_risk_level": "", "expected_route": "referral"})
    saved = client.post(url, {"name": "A crash", "line": "988", "answer__988-start": crash,
                              "expected_risk_level": "", "expected_route": "out_of_scope"})

    assert refused.status_code == 400
    assert "only a call outside the protocol has none" in refused.content.decode()
    assert saved.status_code == 302
    assert "Scenario “A crash” saved: PASS" in client.get(saved["Location"]).content.decode()


def test_a_scenario_needs_at_least_one_answer(client, draft, member):
    client.force_login(member)

    response = client.post(f"{BASE}/versions/{draft.pk}/scenarios/new/", {
        "name": "Nothing answered", "expected_risk_level": "low", "expected_route": "referral",
    })

    assert response.status_code == 400  # refused, re-shown with what was typed
    assert "Choose at least one answer" in response.content.decode()
    assert not draft.scenarios.filter(name="Nothing answered").exists()


def test_editing_a_scenario_shows_its_answers_and_saves_changes(client, draft, member):
    scenario = draft.scenarios.get(name=FIREARM)
    client.force_login(member)

    form = client.get(f"{BASE}/scenarios/{scenario.pk}/edit/").content.decode()
    assert f'value="{FIREARM}"' in form
    assert f'<option value="{WEAPON_ACCESS}" selected>{WEAPON_ACCESS}</option>' in form
    assert '<option value="Yes, agreed" selected>Yes, agreed</option>' in form
    assert '<option value="988" selected>' in form  # the line

    data = {"name": "Firearm at home", "line": "988", "answer__988-start": CRISIS_988, "answer__988-medical": NO,
            "answer__988-weapon": WEAPON_ACCESS, "answer__988-means": "Not yet: keep working on it",
            "answer__988-others": NO, "answer__988-suicide": NO, "answer__988-needs": NO, "answer__988-phone": YES,
            "expected_risk_level": "mild", "expected_route": "988_remote"}
    response = client.post(f"{BASE}/scenarios/{scenario.pk}/edit/", data)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.name == "Firearm at home"
    assert scenario.answers["988-means"] == "Not yet: keep working on it"
    assert "Scenario “Firearm at home” saved: PASS" in client.get(response["Location"]).content.decode()


def test_deleting_a_scenario_asks_first(client, draft, member):
    scenario = draft.scenarios.first()
    client.force_login(member)

    assert "Delete the scenario" in client.get(f"{BASE}/scenarios/{scenario.pk}/delete/").content.decode()
    assert Scenario.objects.filter(pk=scenario.pk).exists()
    client.post(f"{BASE}/scenarios/{scenario.pk}/delete/")
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_scenarios_of_an_approved_version_cannot_be_changed_through_the_pages(client, draft, coordinator, workgroup):
    services.signatory_add(actor=coordinator, version=draft, organization=OrganizationFactory(workgroup=workgroup))
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
    assert draft.scenarios.count() == TOTAL


def test_the_matrix_lists_the_criteria_and_finds_no_contradiction_in_the_default_tree(client, draft, viewer):
    client.force_login(viewer)

    page = client.get(f"{BASE}/versions/{draft.pk}/matrix/").content.decode()

    for label in CRITERIA.values():
        assert f"<th scope=\"col\">{label}</th>" in page
    assert "No contradictions" in page
    assert "generated from the decision tree" in page
    assert "Calls arriving on 911" in page and "Calls arriving on 988" in page  # grouped by line
    for route in {outcome.route for outcome in default_tree().nodes.values() if outcome.kind == engine.OUTCOME}:
        assert Route(route).label in page


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
