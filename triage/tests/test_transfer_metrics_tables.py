"""Each transfer metrics chart has its figures in a table beside it (WCAG 1.1.1: a text equivalent)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from toolkit.tests.chart_tables import drawn_counts, table_counts
from triage.models import Direction
from triage.tests.transfer_factories import TransferFactory

pytestmark = pytest.mark.django_db


def test_the_metrics_page_shows_each_charts_figures_as_a_table(client, workgroup, viewer):
    recently = timezone.now() - timedelta(minutes=5)
    TransferFactory.create_batch(3, workgroup=workgroup, initiated_at=recently)
    TransferFactory.create_batch(2, workgroup=workgroup, initiated_at=recently, direction=Direction.FROM_988_TO_911)
    client.force_login(viewer)

    html = client.get(reverse("transfers:metrics", kwargs={"slug": workgroup.slug})).content.decode()

    by_direction = table_counts(html, "direction")
    assert drawn_counts(html, "direction") == [count for count in by_direction.values() if count]
    assert by_direction[Direction.FROM_911_TO_988.label] == 3 and by_direction[Direction.FROM_988_TO_911.label] == 2
    for key in ("risk", "version"):
        assert drawn_counts(html, key) == [count for count in table_counts(html, key).values() if count]
    by_month = table_counts(html, "month", column=-1)  # the last column: all directions, as the columns draw
    assert drawn_counts(html, "month") == [count for count in by_month.values() if count] == [5]
