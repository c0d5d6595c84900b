"""Safety rules in the browser: declaring one in a structured form, seeing the paths that break it, the version page
and submit refusing while a rule is broken; refusals, tampering, other workgroups."""

from __future__ import annotations

import pytest

from triage import services
from triage.models import Node, SafetyRule
from triage.tests.test_rules_engine import two_lines

BASE = "/w/riverbend/triage"


@pytest.fixture
def draft(workgroup, member):
    return services.protocol_create(actor=member, workgroup=workgroup, name="Two lines",
                                    tree=two_lines()).versions.get()


IMMINENT = {
    "name": "Imminent danger involves 911", "kind": "outcome_when", "when__imminent": "yes", "line": "",
    "levels": ["higher"], "routes": ["988_to_911", "co_response", "ems"],
}


def test_a_member_declares_a_rule_and_is_told_it_holds(client, draft, member):
    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT, follow=True)
    rule = SafetyRule.objects.get(version=draft)
    assert (rule.kind, rule.when, rule.levels, rule.routes, rule.line) == (
        "outcome_when", {"imminent": True}, ["higher"], ["988_to_911", "co_response", "ems"], "")
    body = response.content.decode()
    assert "It holds on every path of the tree." in body
    assert "If “Imminent danger to self” is yes, then the risk level is Higher and the route is " in body
    assert "Holds on every path" in body


def test_a_broken_rule_lists_the_path_with_its_answers_and_blocks_submission(client, draft, member):
    services.node_update(actor=member, node=Node.objects.get(version=draft, key="988-transfer"),
                         risk_level=draft.risk_levels.get(key="low"))
    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT, follow=True)
    body = response.content.decode()
    assert "1 path break it" in body
    assert "Broken on 1 path" in body and "risk level not allowed" in body
    assert "988-start?</span> <strong>Yes</strong>" in body  # the question asked, the answer given
    assert f"/versions/{draft.pk}/simulate/?line=988&amp;path=0" in body

    page = client.get(draft.get_absolute_url()).content.decode()
    assert "1 of 1 safety rule broken on 1 answer path." in page
    assert services.MSG_RULES_BROKEN.format(count=1) in page

    response = client.post(f"{BASE}/versions/{draft.pk}/submit/", follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert services.MSG_RULES_BROKEN.format(count=1) in response.content.decode()


def test_the_matrix_flags_the_row_that_breaks_a_rule(client, draft, member, viewer):
    services.node_update(actor=member, node=Node.objects.get(version=draft, key="988-transfer"),
                         risk_level=draft.risk_levels.get(key="low"))
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    client.force_login(viewer)
    body = client.get(f"{BASE}/versions/{draft.pk}/matrix/").content.decode()
    assert body.count('data-testid="rule-flag"') == 1
    assert "1 row below contradicts the version" in body
    assert "Calls arriving on 911" in body and "Calls arriving on 988" in body


@pytest.mark.parametrize(("post", "message"), [
    ({"kind": "outcome_when", "levels": ["higher"]}, "Choose at least one condition"),
    ({"kind": "outcome_when", "when__imminent": "yes"}, "Tick the risk levels allowed, the routes allowed, or both."),
    ({"kind": "route_only_when", "routes": ["law_enforcement"]}, "Choose at least one condition"),
    ({"kind": "route_only_when", "when__others": "yes"}, "Tick the routes the rule is about."),
    ({"kind": "route_records", "routes": ["911_to_988"]}, "Choose the criterion every such path must record."),
    ({"kind": "outcome_when", "when__imminent": "yes", "levels": ["nope"]}, "Select a valid choice."),
    ({"kind": "sometimes"}, "Select a valid choice."),
])
def test_an_incomplete_rule_is_refused_with_a_message_and_what_was_typed_is_kept(client, draft, member, post,
                                                                                   message):
    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/rules/new/", {"name": "Half a rule", **post})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'value="Half a rule"' in body
    assert not SafetyRule.objects.exists()


def test_a_rule_keeps_only_what_its_kind_reads(client, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", {
        "name": "Consent", "kind": "route_records", "routes": ["911_to_988"], "criterion": "consent",
        "criterion_yes": "on", "when__imminent": "yes", "levels": ["higher"], "line": "911",
    })
    rule = SafetyRule.objects.get()
    assert (rule.when, rule.levels, rule.line, rule.criterion, rule.criterion_yes) == ({}, [], "", "consent", True)


def test_two_rules_cannot_share_a_name(client, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    response = client.post(f"{BASE}/versions/{draft.pk}/rules/new/", {**IMMINENT, "name": "imminent DANGER "
                                                                                      "involves 911"})
    assert response.status_code == 400
    assert "There is already a safety rule called" in response.content.decode()
    assert SafetyRule.objects.count() == 1


def test_a_rule_is_edited_and_deleted_after_confirmation(client, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    rule = SafetyRule.objects.get()
    form = client.get(f"{BASE}/rules/{rule.pk}/edit/").content.decode()
    assert 'value="Imminent danger involves 911"' in form
    client.post(f"{BASE}/rules/{rule.pk}/edit/", {**IMMINENT, "routes": ["988_to_911"]})
    rule.refresh_from_db()
    assert rule.routes == ["988_to_911"]
    assert "Delete the safety rule" in client.get(f"{BASE}/rules/{rule.pk}/delete/").content.decode()
    assert SafetyRule.objects.exists()
    client.post(f"{BASE}/rules/{rule.pk}/delete/")
    assert not SafetyRule.objects.exists()


def test_rules_of_a_version_in_review_cannot_change(client, workgroup, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    rule = SafetyRule.objects.get()
    draft.status = "in_review"
    draft.save()
    response = client.post(f"{BASE}/rules/{rule.pk}/edit/", {**IMMINENT, "name": "Changed"})
    assert response.status_code == 400 and "it cannot be changed" in response.content.decode()
    assert client.get(f"{BASE}/rules/{rule.pk}/edit/").status_code == 302
    client.post(f"{BASE}/rules/{rule.pk}/delete/")
    rule.refresh_from_db()
    assert rule.name == "Imminent danger involves 911"


def test_viewers_read_rules_but_cannot_write_them_and_outsiders_see_nothing(client, draft, member, viewer,
                                                                             outsider):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    rule = SafetyRule.objects.get()
    client.force_login(viewer)
    assert client.get(f"{BASE}/versions/{draft.pk}/rules/").status_code == 200
    assert client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT).status_code == 403
    assert client.post(f"{BASE}/rules/{rule.pk}/delete/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"{BASE}/versions/{draft.pk}/rules/").status_code == 404
    assert client.get(f"{BASE}/rules/{rule.pk}/edit/").status_code == 404
    assert SafetyRule.objects.count() == 1


def test_the_rules_page_runs_a_fixed_number_of_queries_whatever_the_rules(client, draft, member,
                                                                         django_assert_max_num_queries):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/rules/new/", IMMINENT)
    with django_assert_max_num_queries(20) as few:
        client.get(f"{BASE}/versions/{draft.pk}/rules/")
        one_rule = len(few)
    for n in range(8):
        client.post(f"{BASE}/versions/{draft.pk}/rules/new/", {**IMMINENT, "name": f"Rule {n}"})
    with django_assert_max_num_queries(one_rule):
        client.get(f"{BASE}/versions/{draft.pk}/rules/")
