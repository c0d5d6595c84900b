from __future__ import annotations

import html
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from triage import services
from triage.defaults import EXAMPLE_SCENARIOS

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None and os.environ.get("TOOLKIT_TEST_REQUIRE_SERVICES") != "1",
    reason="needs Graphviz (apt-get install graphviz)",
)


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
    return [(href, text) for kind, href, text in parser.links if kind == testid]


def _node(response):
    return re.search(r'data-testid="(?:question|outcome)" data-node="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def version(coordinator, workgroup):
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


def _diagram_url(slug, version):
    return reverse("triage:diagram", kwargs={"slug": slug, "protocol_version_id": version.pk})


def _url(version, path=None):
    url = reverse("triage:simulate", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})
    return url + (f"?path={path}" if path is not None else "")


def _walk(client, version, answers):
    """Follow the answer links from the first question; returns the last response."""
    response = client.get(_url(version))
    for _ in range(len(answers) + 1):
        assert response.status_code == 200
        if 'data-testid="outcome"' in response.content.decode():
            return response
        label = answers[_node(response)]
        href = next(href for href, text in _links(response, "answer") if text == label)
        response = client.get(html.unescape(href))
    pytest.fail("The answers did not lead to an outcome")


@pytest.mark.parametrize("scenario", EXAMPLE_SCENARIOS, ids=[s[0] for s in EXAMPLE_SCENARIOS])
def test_a_viewer_walks_to_the_outcome_a_scenario_expects(client, viewer, version, scenario):
    name, answers, level, route = scenario
    client.force_login(viewer)
    response = _walk(client, version, answers)
    body = response.content.decode()
    assert f'data-risk-level="{level}"' in body and f'data-route="{route}"' in body
    assert "Reassess risk whenever new information comes in" in body  # the version's guidance
    assert len(_links(response, "answered")) == len(answers)
    assert "draft — not approved" in body


def test_the_outcome_shows_level_colour_route_and_actions(client, viewer, version):
    client.force_login(viewer)
    answers = EXAMPLE_SCENARIOS[6][1]  # parent worried: mobile crisis
    body = _walk(client, version, answers).content.decode()
    assert "Mobile crisis response" in body
    assert 'fill="#e69f00"' in body and "Moderate" in body
    assert "988 with mobile crisis" in body
    assert "Dispatch the mobile crisis team" in body


def test_the_first_page_shows_the_root_question_with_guidance(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version))
    body = response.content.decode()
    assert response.status_code == 200
    assert _node(response) == "medical"
    assert "An attempt in progress or an overdose is a medical emergency first." in body
    assert [text for _, text in _links(response, "answer")] == ["Yes", "No"]
    assert _links(response, "back") == [] and _links(response, "restart") == []
    assert 'hx-target="#simulator"' in body and 'hx-push-url="true"' in body


def test_back_drops_the_last_answer_and_restart_goes_to_the_top(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "1.1.1"))  # No weapon, no violence: the behavioral-health question
    assert _node(response) == "bh-primary"
    [(back, _)] = _links(response, "back")
    assert _node(client.get(html.unescape(back))) == "violence"
    [(restart, _)] = _links(response, "restart")
    assert restart == _url(version)
    assert _node(client.get(restart)) == "medical"


def test_an_earlier_answer_links_back_to_its_question(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "1.1.1"))
    answered = _links(response, "answered")
    assert [text for _, text in answered] == [
        "Is someone hurt, in medical danger, or is a suicide attempt happening now?",
        "Is a weapon present or within reach of the person?",
        "Is anyone being violent, or threatening to hurt someone else?",
    ]
    assert _node(client.get(html.unescape(answered[1][0]))) == "weapon"


@pytest.mark.parametrize("path", ["9.9.x", "9", "0.0", "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1", "-1", "1..1", "1" * 50])
def test_a_malformed_path_restarts_with_a_message(client, viewer, version, path):
    client.force_login(viewer)
    response = client.get(_url(version, path))
    assert response.status_code == 200
    assert "starts again from the top" in response.content.decode()
    assert _node(response) == "medical"


def test_htmx_gets_only_the_partial(client, viewer, version):
    client.force_login(viewer)
    response = client.get(_url(version, "1"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") is False and '<div id="simulator"' in body
    assert "<html" not in body and "breadcrumb" not in body
    assert _node(response) == "weapon"
    assert "HX-Request" in response["Vary"]


def test_an_outsider_gets_404(client, outsider, version):
    client.force_login(outsider)
    assert client.get(_url(version)).status_code == 404
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
    assert body.startswith("<svg") and "Who is calling?" in body and "County · version 1 (draft)" in body
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
