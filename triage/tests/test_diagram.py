from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from toolkit.pdf import svg_data_uri
from triage import diagram, engine
from triage.defaults import default_tree

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None and os.environ.get("TOOLKIT_TEST_REQUIRE_SERVICES") != "1",
    reason="needs Graphviz (apt-get install graphviz)",
)
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '"]; evil [label="x'


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own renderer's output, parsed to check it is well-formed)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def _tree(question: str, answer: str = "Yes", outcome: str = "Done") -> engine.Tree:
    return engine.Tree(
        nodes={
            "q": engine.NodeSpec("q", engine.QUESTION, question, root=True,
                                 options=(engine.OptionSpec(answer, "o"), engine.OptionSpec("No", "o"))),
            "o": engine.NodeSpec("o", engine.OUTCOME, outcome, risk_level="low", route="referral"),
        },
        risk_levels=(engine.RiskLevelSpec("low", "Low", colour="#009e73"),),
        reassessment_guidance="Again.",
    )


def test_dot_has_every_node_and_edge_of_the_default_tree():
    tree = default_tree()
    dot = diagram.tree_to_dot(tree, title="County v1")
    node_lines = re.findall(r"^  (n\d+) \[label=", dot, flags=re.MULTILINE)
    assert len(node_lines) == len(tree.nodes) > 30
    edges = re.findall(r"^  (n\d+) -> (n\d+) \[label=", dot, flags=re.MULTILINE)
    assert len(edges) == sum(len(node.options) for node in tree.nodes.values())
    ids = {key: f"n{index}" for index, key in enumerate(tree.nodes)}
    # Each line's first question hangs from its own start, and has a heavy border.
    assert f"start_911 -> {ids['911-start']};" in dot and f"start_988 -> {ids['988-start']};" in dot
    assert '"Call arrives on 911"' in dot and '"Call arrives on 988"' in dot
    assert "start [" not in dot  # no start for either line when each line has its own
    assert dot.count("penwidth=2.5") == 2
    assert "Risk: Higher" in dot and "fillcolor=\"#d55e00\"" in dot
    assert "Route: Warm transfer 988 →\\n911" in dot  # wrapped
    assert "Risk: none (outside the\\nprotocol)" in dot  # calls outside the protocol have no level


def test_labels_wrap_at_about_28_characters():
    dot = diagram.tree_to_dot(default_tree(), title="t")
    label = re.search(r'label="(Is anyone hurt[^"]*)"', dot).group(1)
    assert all(len(line) <= 28 for line in label.split("\\n"))
    assert len(label.split("\\n")) > 1


def test_user_text_is_escaped_for_dot():
    dot = diagram.tree_to_dot(_tree('say "hi" \\N\nnext <b>&lt;', answer=HOSTILE), title="a\\b")
    assert '\\"]; evil [label=\\"x' in dot
    assert 'say \\"hi\\" \\\\N next <b>&amp;lt;' in dot  # newline became a space; \N stays literal
    assert 'label="a\\\\b"' in dot
    assert "label=<" not in dot  # never an HTML-like label


@requires_dot
def test_hostile_text_renders_to_valid_svg_that_shows_it():
    question = 'say "hi" C:\\new\\N'
    svg = diagram.render_svg(diagram.tree_to_dot(_tree(question, answer=HOSTILE, outcome="<script>&lt;"), title="T"))
    texts = _svg_texts(svg)
    assert question in texts
    assert HOSTILE in texts
    assert "<script>&lt;" in texts
    root = ET.fromstring(svg)  # noqa: S314
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(nodes) == 3  # Start, the question and the outcome: no "evil" node was injected
    assert "<script" not in svg


@requires_dot
def test_render_svg_can_be_inlined():
    svg = diagram.render_svg(diagram.tree_to_dot(default_tree(), title="County v1"))
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert "style=" not in svg  # the page's CSP blocks style attributes
    texts = " ".join(_svg_texts(svg))
    assert "Call arrives on 911" in texts and "Call arrives on 988" in texts


def test_fallback_when_dot_is_not_on_the_path(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    svg = diagram.render_svg("digraph { a }")
    assert _svg_texts(svg) == ["Graphviz is not installed; the diagram cannot be drawn."]


def test_fallback_when_dot_disappears(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: "/usr/bin/dot")

    def missing(*args, **kwargs):
        raise FileNotFoundError("dot")

    monkeypatch.setattr(diagram.subprocess, "run", missing)
    assert diagram.MISSING_DOT in _svg_texts(diagram.render_svg("digraph { a }"))


def test_fallback_on_timeout(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: "/usr/bin/dot")
    seen = {}

    def slow(argv, **kwargs):
        seen.update(kwargs, argv=argv)
        raise subprocess.TimeoutExpired(argv, kwargs["timeout"])

    monkeypatch.setattr(diagram.subprocess, "run", slow)
    svg = diagram.render_svg("digraph { a }", timeout=0.5)
    assert _svg_texts(svg) == [diagram.TIMED_OUT]
    assert seen["argv"] == ["/usr/bin/dot", "-Tsvg"] and seen["timeout"] == 0.5
    assert seen["input"] == b"digraph { a }" and "shell" not in seen


@requires_dot
def test_fallback_when_dot_fails():
    assert _svg_texts(diagram.render_svg("digraph {")) == [diagram.FAILED]


@requires_dot
def test_the_svg_embeds_in_a_pdf_as_a_data_uri():
    from weasyprint import HTML, URLFetcher

    svg = diagram.render_svg(diagram.tree_to_dot(default_tree(), title="County v1"))
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)  # as toolkit.pdf does
    with_image = HTML(string='<img src="' + uri + '">', base_url="data:,", url_fetcher=fetcher).write_pdf()
    without = HTML(string="<p></p>", base_url="data:,", url_fetcher=fetcher).write_pdf()
    assert with_image.startswith(b"%PDF")
    assert len(with_image) > len(without) + 5000  # the diagram is really in it


def test_a_css_class_can_be_added_for_inlining():
    svg = diagram.with_css_class(diagram.fallback_svg("x"), "w-100 h-auto")
    assert svg.startswith('<svg class="w-100 h-auto" xmlns=')
    with pytest.raises(ValueError):
        diagram.with_css_class(svg, '"><script>')


@requires_dot
def test_the_drawn_tree_has_a_title_and_a_description_that_points_to_the_tree_in_words():
    svg = diagram.draw_tree_svg(default_tree(), title="County <v1>")
    root = ET.fromstring(svg)  # noqa: S314
    first, second = list(root)[:2]
    assert (first.tag, first.text) == (f"{SVG}title", "County <v1>")
    assert second.tag == f"{SVG}desc"
    questions = sum(1 for node in default_tree().nodes.values() if node.kind == engine.QUESTION)
    assert f"{questions} questions" in second.text and "911, 988" in second.text
    assert "lists the same questions, answers and outcomes as text" in second.text


def test_a_tree_that_cannot_be_drawn_still_gives_the_page_an_svg(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    assert _svg_texts(diagram.render_tree_svg(default_tree(), title="t")) == [diagram.MISSING_DOT]
