"""The clause language: what authors may write, what is refused at save, and that rendering is inert."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.placeholders import MAX_LENGTH, check, render, used_names

NAMES = {"effective_date", "term_months", "parties", "agreement.title", "workgroup.name"}
FLAGS = {"has_substance_use_provider": None, "reporting_frequency": frozenset({"monthly", "quarterly"})}


def _messages(text: str) -> list[str]:
    return [problem.message for problem in check(text, names=NAMES, flags=FLAGS)]


def test_placeholders_and_conditionals_render_with_escaped_values():
    text = ("<p>[[agreement.title]] between [[parties]] starts [[effective_date]].</p>"
            "[[if has_substance_use_provider]]<p>Part 2.</p>[[endif]]"
            '[[if reporting_frequency == "quarterly"]]<p>Quarterly reports.</p>[[endif]]')

    assert check(text, names=NAMES, flags=FLAGS) == []
    rendered = render(text, values={"agreement.title": "MOU", "parties": "Crisis Line & <PSAP>",
                                    "effective_date": "May 1, 2027"},
                      flags={"has_substance_use_provider": False, "reporting_frequency": "quarterly"})
    assert rendered == ("<p>MOU between Crisis Line &amp; &lt;PSAP&gt; starts May 1, 2027.</p>"
                        "<p>Quarterly reports.</p>")


def test_nested_conditionals_need_both_to_hold():
    text = '[[if has_substance_use_provider]]A[[if reporting_frequency == "monthly"]]B[[endif]]C[[endif]]D'

    assert check(text, names=NAMES, flags=FLAGS) == []
    assert render(text, values={}, flags={"has_substance_use_provider": True, "reporting_frequency": "monthly"}) \
        == "ABCD"
    assert render(text, values={}, flags={"has_substance_use_provider": True, "reporting_frequency": "x"}) == "ACD"
    assert render(text, values={}, flags={"has_substance_use_provider": False}) == "D"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ settings.SECRET_KEY }}", "template-engine syntax"),
        ("{% load static %}", "template-engine syntax"),
        ("{# comment #}", "template-engine syntax"),
        ("[[effective_date.__class__]]", "is not a placeholder"),
        ("[[agreement.title.__class__.__mro__]]", "is not a placeholder"),
        ("[[__class__]]", "is not a placeholder"),
        ("[[settings]]", "not an available variable"),
        ("[[secret_key]]", "not an available variable"),
        ("[[Effective_Date]]", "is not a placeholder"),
        ("[[effective_date|upper]]", "is not a placeholder"),
        ("[[effective_date()]]", "is not a placeholder"),
        ("[[if settings.DEBUG]]x[[endif]]", "Write a condition"),
        ("[[if reporting_frequency]]x[[endif]]", "has choices"),
        ('[[if reporting_frequency == "yearly"]]x[[endif]]', "not a choice"),
        ("[[if has_substance_use_provider]]x", "not closed by [[endif]]"),
        ("x[[endif]]", "without a matching"),
        ("[[effective_date", "not closed"),
        ("[[if has_substance_use_provider]][[if has_substance_use_provider]][[if has_substance_use_provider]]x"
         "[[endif]][[endif]][[endif]]", "nest at most"),
    ],
)
def test_injection_attempts_and_bad_syntax_are_reported_with_their_position(text, expected):
    problems = check(text, names=NAMES, flags=FLAGS)

    assert any(expected in problem.message for problem in problems), [p.message for p in problems]
    assert all(problem.line >= 1 and problem.column >= 1 for problem in problems)


def test_the_position_points_at_the_offending_token():
    problem = check("<p>Fine.</p>\n<p>Then [[nope]] here</p>", names=NAMES, flags=FLAGS)[0]

    assert (problem.line, problem.column) == (2, 9)


def test_huge_input_is_refused_without_scanning_it_all():
    assert "longer than" in _messages("x" * (MAX_LENGTH + 1))[0]


@pytest.mark.parametrize(
    "hostile", ["{{ settings.SECRET_KEY }}", "[[effective_date.__class__]]", "[[settings]]", "{% debug %}",
                "[[if x]]<script>alert(1)</script>[[endif]]", "[[" * 5000],
)
def test_render_never_executes_anything_it_does_not_understand(hostile):
    rendered = render(hostile, values={"effective_date": "today"}, flags={})

    assert "SECRET" not in rendered or "{{ settings.SECRET_KEY }}" in rendered  # left as literal text
    assert "<class" not in rendered


def test_used_names_lists_values_and_flags():
    assert used_names('[[parties]] [[if reporting_frequency == "monthly"]]x[[endif]] [[bad token!]]') == {
        "parties", "reporting_frequency"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]{}%#if endif=\"ab_.<>/ \n")), max_size=200))
def test_check_and_render_never_crash_on_arbitrary_text(text):
    check(text, names=NAMES, flags=FLAGS)
    render(text, values={"parties": "<b>"}, flags={"has_substance_use_provider": True})
