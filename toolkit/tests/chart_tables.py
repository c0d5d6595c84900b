"""Reads a chart page the way a test compares a chart with its table: the counts each draws, in order."""

from __future__ import annotations

import lxml.html


def _section(html: str, key: str):
    return lxml.html.fromstring(html).xpath(f'//section[@data-testid="section-{key}"]')[0]


def drawn_counts(html: str, key: str) -> list[int]:
    """The counts of the bars or columns of the section's chart (bars of zero are not drawn)."""
    return [int(bar.get("data-count")) for bar in _section(html, key).xpath('.//*[@data-role="bar"]')]


def table_counts(html: str, key: str, column: int = 0) -> dict[str, int]:
    """Row heading → the count in one column of the section's table (``-1``: the last, a total)."""
    table = _section(html, key).xpath(f'.//table[@data-testid="table-{key}"]')[0]
    counts = {}
    for row in table.xpath("tbody/tr"):
        heading = " ".join(row.xpath("th")[0].text_content().split())
        counts[heading] = int(row.xpath("td")[column].text_content().replace(",", ""))  # 4,670 reads 4670
    return counts
