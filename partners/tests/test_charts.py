"""The power–interest grid SVG: pure function, data in, SVG out."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (parses only SVG this test suite generated)

import pytest

from partners.charts import ENGAGEMENT_COLOURS, GridPoint, power_interest_svg
from partners.models import Engagement
from toolkit.pdf import svg_data_uri

NS = {"svg": "http://www.w3.org/2000/svg"}


def _point(pk: int, name: str = "", **scores) -> GridPoint:
    fields = {
        "influence": 3,
        "interest": 3,
        "impact": 3,
        "current_engagement": Engagement.NEUTRAL,
        "desired_engagement": Engagement.NEUTRAL,
        "url": f"/w/riverbend/partners/organizations/{pk}/",
    } | scores
    return GridPoint(organization_id=pk, name=name or f"Organization {pk}", **fields)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def _point_circles(svg: str) -> dict[int, ET.Element]:
    circles = _parse(svg).iterfind(".//svg:circle[@data-role='point']", NS)
    return {int(c.get("data-organization")): c for c in circles}


def test_it_draws_one_numbered_linked_circle_per_organization():
    points = [_point(1, influence=5, interest=5), _point(2, influence=1, interest=2), _point(3, influence=4)]

    svg = power_interest_svg(points)

    root = _parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert set(_point_circles(svg)) == {1, 2, 3}
    links = [a.get("href") for a in root.iterfind(".//svg:a", NS)]
    assert "/w/riverbend/partners/organizations/2/" in links
    hover = [t.text for t in root.iterfind(".//svg:a/svg:title", NS)]
    assert any(text.startswith("2. Organization 2: influence 1, interest 2") for text in hover)


def test_a_point_without_url_is_not_a_link():
    svg = power_interest_svg([_point(1, url="")])
    assert _parse(svg).find(".//svg:a", NS) is None
    assert len(_point_circles(svg)) == 1


def test_names_are_escaped_and_the_svg_still_parses():
    hostile = "Evil <script>alert(1)</script> & \"Sons\" 'Ltd'"
    points = [_point(1, name=hostile, url='/x/"><script>alert(2)</script>')]

    svg = power_interest_svg(points, title="Grid <b>&</b>")

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in svg
    root = _parse(svg)
    assert root.find("svg:title", NS).text == "Grid <b>&</b>"
    assert root.find(".//svg:a", NS).get("href") == '/x/"><script>alert(2)</script>'
    assert any(hostile in (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}title"))


def test_it_is_accessible_with_a_title_and_a_description_counting_each_quadrant():
    points = [
        _point(1, influence=5, interest=5),
        _point(2, influence=5, interest=4),
        _point(3, influence=5, interest=1),
        _point(4, influence=1, interest=5),
    ]

    root = _parse(power_interest_svg(points, title="Riverbend grid"))

    assert root.get("role") == "group"  # its points are links: an "img" would hide them from screen readers
    assert root.get("aria-labelledby") == "pig-title pig-desc"
    assert _parse(power_interest_svg([_point(1, url="")], title="x")).get("role") == "img"  # no links: a picture
    assert root.find("svg:title", NS).text == "Riverbend grid"
    desc = root.find("svg:desc", NS).text
    assert "4 organizations" in desc
    assert "Manage closely: 2; Keep satisfied: 1; Keep informed: 1; Monitor: 0" in desc


def test_the_four_strategy_labels_sit_in_their_corners():
    root = _parse(power_interest_svg([_point(1)]))
    labels = {t.get("data-quadrant"): t for t in root.iterfind(".//svg:text[@data-quadrant]", NS)}

    assert labels["manage_closely"].text == "Manage closely (1)"
    assert labels["keep_satisfied"].text == "Keep satisfied (0)"
    assert labels["keep_informed"].text == "Keep informed (0)"
    assert labels["monitor"].text == "Monitor (0)"
    x = {key: float(t.get("x")) for key, t in labels.items()}
    y = {key: float(t.get("y")) for key, t in labels.items()}
    assert x["keep_satisfied"] < x["manage_closely"] and y["manage_closely"] < y["keep_informed"]
    assert x["monitor"] < x["keep_informed"] and y["keep_satisfied"] < y["monitor"]


def test_three_counts_as_high_influence_and_interest():
    points = [_point(1, influence=3, interest=3), _point(2, influence=2, interest=2)]
    circles = _point_circles(power_interest_svg(points))
    # Higher influence is drawn higher (smaller y); higher interest further right.
    assert float(circles[1].get("cy")) < float(circles[2].get("cy"))
    assert float(circles[1].get("cx")) > float(circles[2].get("cx"))
    desc = _parse(power_interest_svg(points)).find("svg:desc", NS).text
    assert "Manage closely: 1" in desc and "Monitor: 1" in desc


def test_the_colour_follows_the_current_engagement():
    points = [
        _point(1, interest=1, current_engagement=Engagement.RESISTANT),
        _point(2, interest=5, current_engagement=Engagement.LEADING),
    ]
    circles = _point_circles(power_interest_svg(points))
    assert circles[1].get("fill") == ENGAGEMENT_COLOURS[Engagement.RESISTANT]
    assert circles[2].get("fill") == ENGAGEMENT_COLOURS[Engagement.LEADING]
    assert len(set(ENGAGEMENT_COLOURS.values())) == len(Engagement)


def test_the_radius_grows_with_impact():
    points = [_point(i, interest=i, impact=i) for i in range(1, 6)]
    circles = _point_circles(power_interest_svg(points))
    radii = [float(circles[i].get("r")) for i in range(1, 6)]
    assert radii == sorted(radii) and len(set(radii)) == 5


def test_a_gap_between_current_and_desired_engagement_draws_a_ring_in_the_desired_colour():
    points = [
        _point(1, interest=1, current_engagement=Engagement.UNAWARE, desired_engagement=Engagement.SUPPORTIVE),
        _point(2, interest=5, current_engagement=Engagement.LEADING, desired_engagement=Engagement.LEADING),
    ]
    svg = power_interest_svg(points)
    rings = _parse(svg).findall(".//svg:circle[@data-role='desired']", NS)

    assert len(rings) == 1
    assert rings[0].get("stroke") == ENGAGEMENT_COLOURS[Engagement.SUPPORTIVE]
    assert "raise by 3 steps" in svg
    assert "steps to raise" in svg  # explained in the legend


@pytest.mark.parametrize("count", [2, 3, 7, 15])
def test_points_on_the_same_square_get_distinct_positions_deterministically(count):
    points = [_point(i, influence=4, interest=4) for i in range(1, count + 1)]

    svg = power_interest_svg(points)

    positions = {(c.get("cx"), c.get("cy")) for c in _point_circles(svg).values()}
    assert len(positions) == count
    assert svg == power_interest_svg(points)


def test_fanned_out_points_stay_in_their_quadrant():
    # 3/3 sits next to both boundaries; eight points there must fan out into "manage closely" only.
    crowd = [_point(i, influence=3, interest=3) for i in range(1, 9)]
    low, high = _point(98, influence=2, interest=2), _point(99, influence=4, interest=4)  # alone on their squares
    circles = _point_circles(power_interest_svg([*crowd, low, high]))

    def centre(pk: int) -> tuple[float, float]:
        return float(circles[pk].get("cx")), float(circles[pk].get("cy"))

    (x2, y2), (x4, y4) = centre(98), centre(99)
    boundary_x, boundary_y = x2 + (x4 - x2) / 4, y2 + (y4 - y2) / 4  # the 2.5 lines
    for pk in range(1, 9):
        x, y = centre(pk)
        r = float(circles[pk].get("r"))
        assert x - r > boundary_x and y + r < boundary_y


def test_an_empty_grid_says_so():
    svg = power_interest_svg([])
    assert "No organizations to place yet." in svg
    assert _point_circles(svg) == {}


def test_the_key_names_every_point_with_its_number():
    points = [_point(1, name="Riverbend Crisis Line"), _point(2, name="A" * 80)]
    root = _parse(power_interest_svg(points))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Riverbend Crisis Line" in texts
    assert any(text and text.startswith("AAAA") and text.endswith("…") for text in texts)


def test_data_uri_round_trips():
    import base64

    svg = power_interest_svg([_point(1, name="Café “988”")])
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == svg


def test_it_renders_inside_a_weasyprint_pdf(caplog):
    from weasyprint import HTML, URLFetcher

    points = [
        _point(i, name=f"Partner {i} <&>", influence=1 + i % 5, interest=1 + i * 2 % 5, impact=1 + i % 5)
        for i in range(12)
    ]
    svg = power_interest_svg(points)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)  # as toolkit.pdf does

    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = HTML(
            string=f'<img src="{svg_data_uri(svg)}" alt="grid">', base_url="data:,", url_fetcher=fetcher
        ).write_pdf()

    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1024
    # A broken image still makes a small PDF; make sure WeasyPrint really loaded and drew the chart.
    assert not [r for r in caplog.records if "Failed to load image" in r.getMessage()]
