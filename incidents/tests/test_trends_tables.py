"""Each trends chart has its figures in a table beside it (WCAG 1.1.1: a text equivalent)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.tests.test_trends import spring
from toolkit.tests.chart_tables import drawn_counts, table_counts


@pytest.mark.parametrize("key", ["category", "class", "harm", "organization", "month"])
def test_the_trends_page_shows_each_charts_figures_as_a_table(client, workgroup, qa_reviewer, key):
    spring(workgroup)
    client.force_login(qa_reviewer)

    html = client.get(reverse("incidents:trends", kwargs={"slug": workgroup.slug}),
                      {"occurred_from": "2025-03-01", "occurred_to": "2025-04-30"}).content.decode()

    table = table_counts(html, key)
    assert drawn_counts(html, key) == [count for count in table.values() if count]
    if key == "category":
        assert table["Delay"] == 5 and table["Failed or dropped transfer"] == 1
    if key == "month":
        assert table == {"Mar 2025": 3, "Apr 2025": 3}
