from __future__ import annotations

import html
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from triage import engine, services
from triage.defaults import (
    EXAMPLE_SCENARIOS,
    IMMINENT_NO_WEAPON,
    NO,
    RISK_LEVELS,
    WEAPON_NONE,
    YES,
    default_tree,
)
from triage.models import Route

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None and os.environ.get("TOOLKIT_TEST_REQUIRE_SERVICES") != "1",
    reason="needs Graphviz (apt-get install graphviz)",
)

TREE = default_tree()
ENTRIES = dict(TREE.entries)  # line -> that line's first question
CRISIS_988 = ENTRIES["988"].options[0].label  # "Someone in distress or crisis …"
CRISIS_911 = ENTRIES["911"].options[0].label  # "Yes: someone is in crisis"


class _Links(HTMLParser):
    """The simulator's links by data-testid: [(testid, href, text)]."""

    def __init__(self):
        super().__init__()
        self.links, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("data-testid"):
            self._open = [attrs["data-testid"], attrs["href"], ""]

    def handle_data(self, data):
        if self._open:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self.links.append((self._open[0], self._open[1], self._open[2].strip()))
            self._open = None


def _links(response, testid):
    parser = _Links()
    parser.feed(response.content.decode())
    return [(html.unescape(href), text) for kind, href, text in parser.links if kind == testid]


def _node(response):
    return re.search(r'data-testid="(?:question|outcome)" data-node="([^"]+)"', response.content.decode()).group(1)


def _dd(response, testid):
    """The text of one <dd data-testid=…> of the outcome card, tags stripped."""
    found = re.search(rf'<dd [^>]*data-testid="{testid}"[^>]*>(.*?)</dd>', response.content.decode(), re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found)).split())


@pytest.fixture
def version(coordinator, workgroup):
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


def _diagram_url(slug, version):
    return reverse("triage:diagram", kwargs={"slug": slug, "protocol_version_id": version.pk})


def _url(version, path=None, line=None):
    url = reverse("triage:simulate", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})
    query = [f"line={line}"] if line is not None else []
    query += [f"path={path}"] if path is not None else []
    return url + ("?" + "&".join(query) if query else "")


def _questions(line, answers):
    """[(question, index of the answer chosen)] along the path these answers take from the first question of
    ``line`` in the default tree (answers to questions the path never reaches are not used)."""
    node, steps = ENTRIES[line], []
    while node.kind == engine.QUESTION:
        index = [option.label for option in node.options].index(answers[node.key])
        steps.append((node, index))
        node = TREE.nodes[node.options[index].next]
    return steps


def _index_path(line, answers):
    """The simulator's path for these answers: the index of the answer chosen at each question."""
    return ".".join(str(index) for _, index in _questions(line, answers))


def _walk(client, version, answers, line):
    """Choose the line, then follow the answer links to an outcome; the last link must be the scenario's index
    path, and that URL opened directly shows the same outcome. Returns the last response."""
    [href] = [href for href, text in _links(client.get(_url(version)), "line") if text == f"The call arrived on {line}"]
    response = client.get(href)
    for _ in range(len(answers) + 1):
        assert response.status_code == 200
        if 'data-testid="outcome"' in response.content.decode():
            assert href == _url(version, _index_path(line, answers), line)
            assert _node(client.get(href)) == _node(response)
            return response
        label = answers[_node(response)]
        href = next(href for href, text in _links(response, "answer") if text == label)
        response = client.get(href)
    pytest.fail("The answers did not lead to an outcome")


@pytest.mark.parametrize("scenario", EXAMPLE_SCENARIOS, ids=[s[0] for s in EXAMPLE_SCENARIOS])
def test_a_viewer_walks_to_the_outcome_a_scenario_expects(client, viewer, version, scenario):
    name, answers, level, route, line = scenario
    client.force_login(viewer)
    response = _walk(client, version, answers, line)
    body = response.content.decode()
    assert f'data-risk-level="{level}"' in body and f'data-route="{route}"' in body
    assert f'data-line="{line}"' in body and f"Calls arriving on {line}" in body
    assert _dd(response, "outcome-route") == Route(route).label
    if not level:  # a call outside the protocol has no risk level, and says so
        assert _dd(response, "outcome-risk-level") == "None: this call is outside the protocol"
    assert "Reassess risk whenever new information comes in" in body  # the version's guidance
    assert [text for _, text in _links(response, "answered")] == [q.text for q, _ in _questions(line, answers)]
    assert "draft — not approved" in body


def test_the_outcome_shows_level_colour_route_and_actions(client, viewer, version):
    client.force_login(viewer)
    [(_, answers, _, _, line)] = [s for s in EXAMPLE_SCENARIOS if s[0].startswith("988: parent worried")]
    response = _walk(client, version, answers, line)
    body = response.content.decode()
    assert _node(response) == "988-out-mobile"
    assert re.search(r'id="sim-outcome">Mobile crisis team</h2>', body)
    moderate = next(level for level in RISK_LEVELS if level.key == "moderate")
    assert f'fill="{moderate.colour}"' in body and "Moderate" in _dd(response, "outcome-risk-level")
    assert _dd(response, "outcome-route") == "Mobile crisis team"
    assert "Dispatch the mobile crisis team" in _dd(response, "outcome-actions")


def test_the_first_page_asks_which_line_and_each_line_leads_to_its_own_first_question(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="choose-line"' in body and "Which line did the call arrive on?" in body
    assert 'data-testid="question"' not in body and 'data-testid="outcome"' not in body
    lines = _links(response, "line")
    assert lines == [(_url(version, line=line), f"The call arrived on {line}") for line in ("911", "988")]
    assert _links(response, "back") == [] and _links(response, "restart") == []
    for href, _ in lines:
        line = href.rsplit("=", 1)[1]
        first = client.get(href)
        assert _node(first) == ENTRIES[line].key
        assert f"Calls arriving on {line} · Question 1" in first.content.decode()


@pytest.mark.parametrize("line", ["911", "988"])
def test_each_line_starts_at_its_first_question_with_guidance(client, viewer, version, line):
    client.force_login(viewer)
    response = client.get(_url(version, line=line))
    body = response.content.decode()
    first = ENTRIES[line]
    assert response.status_code == 200
    assert _node(response) == first.key and f'data-line="{line}"' in body
    assert html.escape(first.guidance) in body
    assert [text for _, text in _links(response, "answer")] == [option.label for option in first.options]
    assert [href for href, _ in _links(response, "answer")] == [
        _url(version, str(index), line) for index in range(len(first.options))]
    assert _links(response, "back") == []
    assert _links(response, "restart") == [(_url(version), "Restart")]  # back to the line choice
    assert 'hx-target="#simulator"' in body and 'hx-push-url="true"' in body


@pytest.mark.parametrize("bogus", ["bogus", "", "911x", "0911"])
def test_an_unknown_line_asks_for_the_line_again(client, viewer, version, bogus):
    client.force_login(viewer)
    for url in (_url(version, line=bogus), _url(version, "0.1", line=bogus)):
        response = client.get(url)
        assert response.status_code == 200
        assert 'data-testid="choose-line"' in response.content.decode()
        assert [text for _, text in _links(response, "line")] == ["The call arrived on 911", "The call arrived on 988"]
        assert 'data-testid="question"' not in response.content.decode()


@pytest.mark.parametrize(("line", "answers", "node", "level", "route"), [
    ("988", {"988-start": CRISIS_988, "988-medical": NO, "988-weapon": WEAPON_NONE, "988-others": NO,
             "988-suicide": YES, "988-imminent": IMMINENT_NO_WEAPON, "988-safety": NO, "988-location": YES},
     "988-out-imminent", "higher", "988_to_911"),
    ("911", {"911-start": CRISIS_911, "911-medical": NO, "911-weapon": WEAPON_NONE, "911-others": NO,
             "911-suicide": YES, "911-imminent": IMMINENT_NO_WEAPON, "911-imminent-team": NO},
     "911-out-imminent", "higher", "ems"),
    ("911", {"911-start": CRISIS_911, "911-medical": NO, "911-weapon": WEAPON_NONE, "911-others": NO,
             "911-suicide": NO, "911-needs": NO, "911-offer-988": YES},
     "911-out-to-988", "mild", "911_to_988"),
], ids=["988 imminent danger: transfer to 911", "911 imminent danger: EMS", "911 distress: transfer to 988"])
def test_a_walk_on_each_line_ends_at_that_lines_outcome(client, viewer, version, line, answers, node, level, route):
    client.force_login(viewer)
    response = _walk(client, version, answers, line)
    assert _node(response) == node
    assert f'data-risk-level="{level}"' in response.content.decode()
    assert _dd(response, "outcome-route") == Route(route).label
    shown = re.search(r'data-route="([^"]*)"', response.content.decode()).group(1)
    assert engine.TRANSFER_AWAY_FROM.get(shown) != line  # never a transfer to the line the call is already on


def test_back_drops_the_last_answer_and_restart_goes_to_the_line_choice(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "0.1.2", line="911"))  # in crisis, no medical emergency, no weapon
    assert _node(response) == "911-others"
    [(back, _)] = _links(response, "back")
    assert back == _url(version, "0.1", line="911")
    assert _node(client.get(back)) == "911-weapon"
    [(restart, _)] = _links(response, "restart")
    assert restart == _url(version)
    assert 'data-testid="choose-line"' in client.get(restart).content.decode()


@pytest.mark.parametrize("line", ["911", "988"])
def test_a_back_link_keeps_the_line(client, viewer, version, line):
    client.force_login(viewer)
    start = ENTRIES[line]
    medical = TREE.nodes[start.options[0].next]
    response = client.get(_url(version, "0.1", line=line))  # in crisis, no medical emergency: the weapon question
    assert _node(response) == medical.options[1].next
    [(back, _)] = _links(response, "back")
    assert back == _url(version, "0", line=line)
    response = client.get(back)
    assert _node(response) == medical.key and f'data-line="{line}"' in response.content.decode()
    [(back, _)] = _links(response, "back")
    assert back == _url(version, line=line)  # the line's first question, not the line choice
    assert _node(client.get(back)) == start.key


def test_an_earlier_answer_links_back_to_its_question(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "0.1.2", line="911"))  # crisis, no medical emergency, no weapon
    answered = _links(response, "answered")
    keys = ("911-start", "911-medical", "911-weapon")
    assert [text for _, text in answered] == [TREE.nodes[key].text for key in keys]
    assert [href for href, _ in answered] == [_url(version, line="911"), _url(version, "0", "911"),
                                              _url(version, "0.1", "911")]
    assert _node(client.get(answered[0][0])) == "911-start"
    assert _node(client.get(answered[1][0])) == "911-medical"


@pytest.mark.parametrize("line", ["911", "988"])
@pytest.mark.parametrize("path", ["9.9.x", "9", "0.0.0", "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1", "-1", "1..1", "1" * 50])
def test_a_malformed_path_restarts_with_a_message(client, viewer, version, path, line):
    client.force_login(viewer)
    response = client.get(_url(version, path, line=line))
    assert response.status_code == 200
    assert "starts again from the top" in response.content.decode()
    assert _node(response) == ENTRIES[line].key  # the top of the same line
    assert f'data-line="{line}"' in response.content.decode()


def test_a_tree_with_one_first_question_for_either_line_skips_the_line_choice(client, coordinator, viewer, workgroup):
    q, o = engine.QUESTION, engine.OUTCOME
    tree = engine.Tree(nodes={
        "start": engine.NodeSpec("start", q, "In crisis?", root=True, options=(
            engine.OptionSpec("Yes", "remote"), engine.OptionSpec("No", "info"))),
        "remote": engine.NodeSpec("remote", o, "Support", risk_level="mild", route="988_remote"),
        "info": engine.NodeSpec("info", o, "Information", risk_level="low", route="referral"),
    }, risk_levels=RISK_LEVELS, reassessment_guidance="Ask again.")
    version = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Either", tree=tree).versions.get()
    client.force_login(viewer)
    response = client.get(_url(version))
    assert _node(response) == "start" and 'data-testid="choose-line"' not in response.content.decode()
    assert [href for href, _ in _links(response, "answer")] == [_url(version, "0"), _url(version, "1")]
    assert _node(client.get(_url(version, "0", line="988"))) == "remote"  # a line is not needed, nor in the way


def test_htmx_gets_only_the_partial(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "0", line="911"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") is False and '<div id="simulator"' in body
    assert "<html" not in body and "breadcrumb" not in body
    assert _node(response) == "911-medical"
    assert "HX-Request" in response["Vary"]
    choice = client.get(_url(version), headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="choose-line"' in choice and "<html" not in choice


def test_an_outsider_gets_404(client, outsider, version):
    client.force_login(outsider)
    assert client.get(_url(version)).status_code == 404
    assert client.get(_url(version, "0", line="988")).status_code == 404
    assert client.get(_diagram_url("riverbend", version)).status_code == 404


def test_another_workgroups_version_is_not_found(client, viewer, outsider, other_workgroup, workgroup):
    theirs = services.protocol_create(actor=outsider, workgroup=other_workgroup, name="Theirs").versions.get()
    client.force_login(viewer)
    assert client.get(reverse("triage:simulate", kwargs={"slug": workgroup.slug,
                                                         "protocol_version_id": theirs.pk})).status_code == 404
    assert client.get(_diagram_url(workgroup.slug, theirs)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, version):
    response = client.get(_url(version))
    assert response.status_code == 302 and "login" in response["Location"]


@requires_dot
def test_the_diagram_is_svg_with_the_question_text(client, viewer, version):
    client.force_login(viewer)
    url = reverse("triage:diagram", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    body = response.content.decode()
    assert body.startswith("<svg") and ENTRIES["988"].text in body and "County · version 1 (draft)" in body
    assert "Call arrives on 911" in body and "Call arrives on 988" in body  # one start per line
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="triage-protocol-{version.pk}-v1.svg"'


def test_the_diagram_degrades_without_graphviz(client, viewer, version, monkeypatch):
    from triage import diagram

    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    client.force_login(viewer)
    response = client.get(_diagram_url(version.workgroup.slug, version))
    assert response.status_code == 200
    assert "Graphviz is not installed; the diagram cannot be drawn." in response.content.decode()
    assert client.get(_url(version)).status_code == 200  # the simulator does not need it
