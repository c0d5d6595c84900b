"""Each readiness chart has its figures in a table on the same page (WCAG 1.1.1: a text equivalent)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from readiness.tests.test_views_results import _doc, _text, _url, by_testid, held_back_round, two_organization_round

SVG_TITLE = '*[local-name()="title"]'


def _tooltips(doc, testid: str, role: str) -> list[str]:
    """The words each mark of a chart carries (its <title>), the same the chart's hover shows."""
    marks = by_testid(doc, testid, f'//*[local-name()="g"][*[@data-role="{role}"]]/{SVG_TITLE}')
    return [_text(title) for title in marks]


def test_the_results_page_shows_the_profile_and_spread_figures_as_tables(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    bars = _tooltips(doc, "profile", "bar")
    assert [bar.split(": ", 1)[1] for bar in bars] == ["3.9 (Borderline)", "3.2 (Borderline)"]
    table = [[_text(td) for td in row.xpath("td")[1:]] for row in by_testid(doc, "dimension-row")]
    assert table == [["3.9", "Borderline"], ["3.2", "Borderline"]]  # the same dimensions, in the same order
    dots = set(_tooltips(doc, "spread", "dot"))
    assert "Riverbend 988 Center — Data sharing: 1.5" in dots and "County PSAP — Data sharing: 5.0" in dots
    organizations = {_text(row.xpath("th")[0]): [_text(td) for td in row.xpath("td")]
                     for row in by_testid(doc, "organization-table", "/tbody/tr")}
    assert organizations["Riverbend 988 Center"][2] == "1.5" and organizations["County PSAP"][2] == "5.0"
    assert by_testid(doc, "spread", '//a[@href="#orgs-heading"]')  # the caption points to that table


def test_the_trend_page_shows_the_figures_of_each_line_as_a_table(client, workgroup, viewer):
    earlier, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    later, _ = held_back_round(workgroup, title="Autumn round")
    client.force_login(viewer)

    doc = _doc(client.get(f"/w/{workgroup.slug}/readiness/compare/?round={earlier.pk}&round={later.pk}"))

    points = by_testid(doc, "comparison", f'//*[@data-role="line"]/*[local-name()="g"]/{SVG_TITLE}')
    # "Leadership — Spring round (May 2026): 3.9": the dimension and the score of each point, oldest round first
    drawn = [(_text(p).split(" — ")[0], _text(p).rsplit(": ", 1)[1]) for p in points]
    assert drawn == [("Leadership", "3.9"), ("Leadership", "2.0"), ("Data sharing", "3.2"), ("Data sharing", "5.0")]
    rows = {_text(r.xpath("th")[0]): [_text(td) for td in r.xpath("td")][:2] for r in by_testid(doc, "change-row")}
    assert rows["Leadership"] == ["3.9", "2.0"] and rows["Data sharing"] == ["3.2", "5.0"]  # and an overall row
