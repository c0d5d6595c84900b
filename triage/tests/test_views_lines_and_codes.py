"""One first question per line, partners' codes on outcomes, and adding a step next to where it is used;
the simulator and the matrix follow the line the call arrived on."""

from __future__ import annotations

import pytest

from triage import services
from triage.models import Node, Option
from triage.tests.test_rules_engine import two_lines

BASE = "/w/riverbend/triage"


@pytest.fixture
def draft(workgroup, member):
    return services.protocol_create(actor=member, workgroup=workgroup, name="Two lines",
                                    tree=two_lines()).versions.get()


def _node(version, key) -> Node:
    return Node.objects.get(version=version, key=key)


def test_an_outcome_carries_partners_codes_shown_in_the_matrix_and_the_simulator(client, draft, member, viewer):
    outcome = _node(draft, "911-transfer")
    client.force_login(member)
    response = client.post(f"{BASE}/nodes/{outcome.pk}/edit/", {
        "text": outcome.text, "risk_level": outcome.risk_level_id, "route": "911_to_988", "actions": "",
        "codes": "Metro PSAP CAD disposition: BH-988\n\n988 center disposition:  T-911 \n",
    })
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.codes == [{"system": "Metro PSAP CAD disposition", "code": "BH-988"},
                             {"system": "988 center disposition", "code": "T-911"}]
    client.force_login(viewer)
    matrix = client.get(f"{BASE}/versions/{draft.pk}/matrix/").content.decode()
    assert ">Metro PSAP CAD disposition</th>" in matrix and "<code>BH-988</code>" in matrix
    sim = client.get(f"{BASE}/versions/{draft.pk}/simulate/?line=911&path=1.0").content.decode()
    assert 'data-testid="outcome-codes"' in sim and "<code>T-911</code>" in sim


@pytest.mark.parametrize(("codes", "message"), [
    ("BH-988", "Line 1: write the system, a colon, then the code"),
    ("CAD: \n", "Line 1: write the system, a colon, then the code"),
    ("CAD: A\nCAD: A", "Line 2: “CAD: A” is listed twice."),
    ("CAD: " + "x" * 61, "keep the system under 120 characters and the code under 60"),
])
def test_badly_written_codes_are_refused_with_the_line_and_nothing_changes(client, draft, member, codes, message):
    outcome = _node(draft, "911-transfer")
    client.force_login(member)
    response = client.post(f"{BASE}/nodes/{outcome.pk}/edit/", {
        "text": "Renamed", "risk_level": outcome.risk_level_id, "route": "911_to_988", "codes": codes,
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Renamed" in response.content.decode()  # what was typed is kept
    outcome.refresh_from_db()
    assert (outcome.text, outcome.codes) == ("Outcome 911-transfer", [])


def test_marking_a_first_question_for_a_line_unmarks_only_that_lines_other_one(client, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/nodes/new/", {
        "kind": "question", "text": "New 988 start?", "is_root": "on", "entry_line": "988"})
    new = Node.objects.get(version=draft, text="New 988 start?")
    assert (new.is_root, new.entry_line) == (True, "988")
    assert _node(draft, "988-start").is_root is False
    assert _node(draft, "911-start").is_root is True


def test_a_question_that_is_not_a_first_question_keeps_no_line(client, draft, member):
    client.force_login(member)
    client.post(f"{BASE}/versions/{draft.pk}/nodes/new/", {"kind": "question", "text": "Plain?", "entry_line": "911"})
    assert Node.objects.get(version=draft, text="Plain?").entry_line == ""


def test_a_step_added_after_an_answer_is_linked_and_listed_next_to_its_question(client, draft, member):
    question = _node(draft, "911-consent")
    client.force_login(member)
    response = client.post(f"{BASE}/nodes/{question.pk}/options/new/",
                           {"label": "Unsure", "new_step": "question"})
    option = Option.objects.get(node=question, label="Unsure")
    assert option.next_node is None
    assert response["Location"] == f"{BASE}/versions/{draft.pk}/nodes/new/?kind=question&after={option.pk}"
    form = client.get(response["Location"]).content.decode()
    assert "This step follows the answer" in form and "Unsure" in form

    client.post(response["Location"], {"kind": "question", "text": "Can we call back?"})
    new = Node.objects.get(version=draft, text="Can we call back?")
    option.refresh_from_db()
    assert option.next_node == new
    ordered = list(Node.objects.filter(version=draft).order_by("order", "pk").values_list("key", flat=True))
    assert ordered.index(new.key) == ordered.index(question.key) + 1


def test_an_answer_needs_a_next_step_existing_or_new_but_not_both(client, draft, member):
    question = _node(draft, "911-consent")
    client.force_login(member)
    response = client.post(f"{BASE}/nodes/{question.pk}/options/new/", {"label": "Unsure"})
    assert response.status_code == 400 and "Choose the next step, or add a new one." in response.content.decode()
    response = client.post(f"{BASE}/nodes/{question.pk}/options/new/", {
        "label": "Unsure", "next_node": _node(draft, "911-stay").pk, "new_step": "outcome"})
    assert response.status_code == 400 and "not both" in response.content.decode()
    assert not Option.objects.filter(label="Unsure").exists()


def test_adding_after_an_answer_of_another_workgroup_is_not_found(client, draft, member, other_workgroup,
                                                                   outsider):
    theirs = services.protocol_create(actor=outsider, workgroup=other_workgroup, name="Theirs",
                                      tree=two_lines()).versions.get()
    option = Option.objects.filter(node__version=theirs).first()
    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/nodes/new/?kind=question&after={option.pk}",
                           {"kind": "question", "text": "Sneaky?"})
    assert response.status_code == 404
    assert not Node.objects.filter(text="Sneaky?").exists()


def test_the_simulator_asks_for_the_line_first_and_follows_it(client, draft, viewer):
    client.force_login(viewer)
    body = client.get(f"{BASE}/versions/{draft.pk}/simulate/").content.decode()
    assert "Which line did the call arrive on?" in body
    assert f"{BASE}/versions/{draft.pk}/simulate/?line=988" in body
    body = client.get(f"{BASE}/versions/{draft.pk}/simulate/?line=988").content.decode()
    assert 'data-node="988-start"' in body and "Calls arriving on 988" in body
    body = client.get(f"{BASE}/versions/{draft.pk}/simulate/?line=988&path=0").content.decode()
    assert 'data-node="988-transfer"' in body and 'data-route="988_to_911"' in body
    body = client.get(f"{BASE}/versions/{draft.pk}/simulate/?line=911&path=0").content.decode()
    assert 'data-node="911-dispatch"' in body
    body = client.get(f"{BASE}/versions/{draft.pk}/simulate/?line=912&path=0").content.decode()
    assert "Which line did the call arrive on?" in body


def test_the_version_page_says_why_submit_is_disabled(client, draft, member):
    client.force_login(member)
    body = client.get(draft.get_absolute_url()).content.decode()
    assert services.MSG_NO_SCENARIOS in body
    assert services.MSG_NO_SIGNATORIES in body
    assert "calls on 911" in body and "calls on 988" in body


def test_a_member_adds_a_criterion_and_a_rule_can_speak_of_it(client, draft, member):
    from triage.models import Criterion

    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/criteria/new/", {"label": "The person is under 18"})
    assert response.status_code == 302 and response["Location"].endswith("#criteria")
    criterion = Criterion.objects.get(version=draft, label="The person is under 18")
    assert criterion.key == "the-person-is-under-18"
    form = client.get(f"{BASE}/versions/{draft.pk}/rules/new/").content.decode()
    assert "The person is under 18" in form
    response = client.post(f"{BASE}/versions/{draft.pk}/criteria/new/", {"label": " the person is UNDER 18 "})
    assert response.status_code == 400 and "There is already a criterion called" in response.content.decode()
    client.post(f"{BASE}/criteria/{criterion.pk}/edit/", {"label": "Under 18"})
    criterion.refresh_from_db()
    assert (criterion.label, criterion.key) == ("Under 18", "the-person-is-under-18")


def test_criteria_cannot_be_added_by_a_viewer_or_seen_by_another_workgroup(client, draft, viewer, outsider):
    criterion = draft.criteria.first()
    client.force_login(viewer)
    assert client.post(f"{BASE}/versions/{draft.pk}/criteria/new/", {"label": "X"}).status_code == 403
    client.force_login(outsider)
    assert client.get(f"{BASE}/criteria/{criterion.pk}/edit/").status_code == 404
    assert not draft.criteria.filter(label="X").exists()


def test_a_step_cannot_be_added_after_an_answer_that_already_leads_somewhere(client, draft, member):
    option = Option.objects.get(node__version=draft, node__key="911-consent", label="Agrees")
    client.force_login(member)
    response = client.post(f"{BASE}/versions/{draft.pk}/nodes/new/?kind=question&after={option.pk}",
                           {"kind": "question", "text": "Replacing?"})
    assert response.status_code == 400 and "already leads to a step" in response.content.decode()
    option.refresh_from_db()
    assert option.next_node.key == "911-transfer" and not Node.objects.filter(text="Replacing?").exists()
    # A malformed ?after= is ignored, never a server error.
    assert client.get(f"{BASE}/versions/{draft.pk}/nodes/new/?after=%C2%B2").status_code == 200
