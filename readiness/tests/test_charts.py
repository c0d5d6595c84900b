"""Readiness charts: pure functions, data in, SVG out."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET  # noqa: S405 (parses only SVG this test suite generated)
from fractions import Fraction

from readiness.charts import (
    BAND_COLOURS,
    ProfileBar,
    SpreadRow,
    TrendLine,
    comparison_svg,
    profile_svg,
    spread_svg,
)
from toolkit.pdf import svg_data_uri

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = "<script>alert(1)</script> & \"Sons\""


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def _all(svg: str, role: str) -> list[ET.Element]:
    return _parse(svg).findall(f".//*[@data-role='{role}']")


def _texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in _parse(svg).iter("{http://www.w3.org/2000/svg}text")]


def test_the_profile_draws_one_bar_per_scored_dimension_coloured_by_band():
    bars = [
        ProfileBar("lead", "Leadership", Fraction(95, 24)),
        ProfileBar("data", "Data sharing", Fraction(5, 2)),
        ProfileBar("train", "Training", Fraction(9, 2)),
        ProfileBar("none", "Not answered", None),
    ]

    svg = profile_svg(bars, title="Profile")

    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Profile"
    assert root.find("svg:title", NS).text == "Profile"
    drawn = {b.get("data-dimension"): b for b in _all(svg, "bar")}
    assert set(drawn) == {"lead", "data", "train"}
    assert drawn["lead"].get("fill") == BAND_COLOURS["borderline"]
    assert drawn["data"].get("fill") == BAND_COLOURS["concern"]
    assert drawn["train"].get("fill") == BAND_COLOURS["strength"]
    # Longer bar for the higher score; the label is cut, not rounded (95/24 ≈ 3.96 shows 3.9).
    assert float(drawn["train"].get("width")) > float(drawn["lead"].get("width")) > float(drawn["data"].get("width"))
    assert "3.9 Borderline" in _texts(svg) and "4.0 Borderline" not in _texts(svg)
    assert "no scored answers" in _texts(svg)
    assert {z.get("data-zone") for z in root.findall(".//*[@data-zone]")} == {"concern", "borderline", "strength"}


def test_bars_start_at_one_and_end_where_the_score_sits():
    svg = profile_svg([ProfileBar("a", "A", Fraction(1)), ProfileBar("b", "B", Fraction(5)),
                       ProfileBar("c", "C", Fraction(3))])
    widths = [float(b.get("width")) for b in _all(svg, "bar")]
    xs = {float(b.get("x")) for b in _all(svg, "bar")}
    assert len(xs) == 1  # every bar starts at 1 on the scale
    assert widths[0] <= 2 and abs(widths[2] - widths[1] / 2) < 0.2


def test_the_spread_draws_one_dot_per_organization_and_dimension():
    rows = [
        SpreadRow("data", "Data sharing", {"County PSAP": Fraction(5), "Riverbend 988": Fraction(3, 2),
                                           "Mobile team": Fraction(3)}),
        SpreadRow("lead", "Leadership", {"County PSAP": Fraction(47, 12), "Riverbend 988": Fraction(4)}),
        SpreadRow("empty", "Nobody answered", {}),
    ]

    svg = spread_svg(rows)

    dots = _all(svg, "dot")
    assert len(dots) == 5
    assert len(_all(svg, "range")) == 2
    assert {d.get("data-organization") for d in dots} == {"County PSAP", "Riverbend 988", "Mobile team"}
    # One organization keeps its colour on every row, and the legend names each organization once.
    psap = {d.get("fill") for d in dots if d.get("data-organization") == "County PSAP"}
    assert len(psap) == 1
    assert len(_all(svg, "legend")) == 3
    assert "range 3.5" in _texts(svg)


def test_organizations_at_the_same_score_stay_visible():
    rows = [SpreadRow("lead", "Leadership", {f"Org {n}": Fraction(4) for n in range(3)})]
    dots = _all(spread_svg(rows), "dot")
    positions = {(d.get("cx"), d.get("cy"), d.get("x"), d.get("y"), d.get("points")) for d in dots}
    assert len(positions) == 3


def test_the_comparison_draws_one_line_per_dimension_with_a_point_per_round():
    lines = [
        TrendLine("lead", "Leadership", [Fraction(3), Fraction(7, 2), Fraction(4)]),
        TrendLine("data", "Data sharing", [Fraction(2), None, Fraction(5, 2)]),
        TrendLine("new", "New dimension", [None, None, Fraction(3)]),
    ]

    svg = comparison_svg(["Spring 2024", "Autumn 2024", "Spring 2025"], lines)

    drawn = _all(svg, "line")
    assert [g.get("data-dimension") for g in drawn] == ["lead", "data", "new"]
    assert len(drawn[0].findall("svg:polyline", NS)) == 1
    assert len(drawn[0].findall("svg:polyline", NS)[0].get("points").split()) == 3
    assert len(drawn[1].findall("svg:polyline", NS)[0].get("points").split()) == 2  # the gap is skipped
    assert drawn[2].find("svg:polyline", NS) is None  # one point is not a line
    assert [t.text for t in _parse(svg).findall(".//*[@data-role='round']")] == [
        "Spring 2024", "Autumn 2024", "Spring 2025"
    ]
    assert len(_all(svg, "legend")) == 3


def test_higher_scores_sit_higher_in_the_comparison():
    svg = comparison_svg(["A", "B"], [TrendLine("lead", "Leadership", [Fraction(2), Fraction(4)])])
    points = _all(svg, "line")[0].find("svg:polyline", NS).get("points").split()
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in points)
    assert x1 < x2 and y2 < y1


def test_every_label_is_escaped_and_the_svg_still_parses():
    profile = profile_svg([ProfileBar("k", HOSTILE, Fraction(3))], title=f"Round {HOSTILE}")
    spread = spread_svg([SpreadRow("k", HOSTILE, {HOSTILE: Fraction(2), "<b>Other</b>": Fraction(4)})])
    trend = comparison_svg([HOSTILE, "Later"], [TrendLine("k", HOSTILE, [Fraction(2), Fraction(3)])])

    for svg in (profile, spread, trend):
        assert "<script>" not in svg and "<b>" not in svg
        assert "&lt;script&gt;" in svg
        root = _parse(svg)
        assert any(HOSTILE in (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}title"))
    assert any(d.get("data-organization") == HOSTILE for d in _all(spread, "dot"))


def test_no_style_attributes_or_scripts_for_the_csp():
    svgs = [
        profile_svg([ProfileBar("k", "K", Fraction(3))]),
        spread_svg([SpreadRow("k", "K", {"A": Fraction(2), "B": Fraction(4)})]),
        comparison_svg(["A", "B"], [TrendLine("k", "K", [Fraction(2), Fraction(3)])]),
    ]
    for svg in svgs:
        root = _parse(svg)
        assert all(el.get("style") is None for el in root.iter())
        assert root.find(".//svg:style", NS) is None and root.find(".//svg:script", NS) is None
        assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_empty_charts_say_so():
    assert "No scores yet." in _texts(profile_svg([]))
    assert "No scores yet." in _texts(spread_svg([]))
    assert _all(comparison_svg([], []), "line") == []


def test_data_uri_round_trips():
    svg = profile_svg([ProfileBar("k", "Café “988”", Fraction(3))])
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == svg
