"""The two pagination helpers: numbered pages with elided links, and keyset pages for endless lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import audit
from toolkit.models import AuditAction, AuditEvent
from toolkit.pagination import keyset_page, paginate
from toolkit.tests.factories import WorkgroupFactory

pytestmark = pytest.mark.django_db


def _events(times: list):
    """Exactly these events, in a workgroup of their own created without any (audit rows are never deleted)."""
    with audit.suspended():
        workgroup = WorkgroupFactory()
    AuditEvent.objects.bulk_create(
        AuditEvent(workgroup=workgroup, occurred_at=when, actor_name="x", action=AuditAction.CREATED,
                   object_type="t.t", object_label="T", object_id=str(i), object_repr=f"#{i}")
        for i, when in enumerate(times)
    )
    return AuditEvent.objects.filter(workgroup=workgroup)


def _walk(queryset, size: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page = keyset_page(queryset, after=cursor, size=size)
        seen += [e.pk for e in page]
        if not page.older:
            return seen
        cursor = page.older


def test_numbered_pages_show_a_few_links_however_many_pages_there_are(workgroup):
    request = RequestFactory().get("/", {"page": "200"})

    page = paginate(request, list(range(10_000)), per_page=25)

    assert page.number == 200
    ellipsis = page.paginator.ELLIPSIS
    # The first and last page, two either side of this one, and an ellipsis for the rest.
    assert page.elided_range == [1, ellipsis, 198, 199, 200, 201, 202, ellipsis, 400]


@pytest.mark.parametrize("raw", ["x", "-1", "0", "99999", "²", ""])
def test_a_bad_page_number_shows_the_nearest_real_page(raw):
    page = paginate(RequestFactory().get("/", {"page": raw}), list(range(60)), per_page=25)

    assert page.number in (1, 3)


def test_keyset_pages_cover_every_row_once_in_order(workgroup):
    base = timezone.now()
    queryset = _events([base - timedelta(seconds=i % 7) for i in range(53)])  # many ties on time

    seen = _walk(queryset, size=10)

    expected = list(queryset.order_by("-occurred_at", "-id").values_list("pk", flat=True))
    assert seen == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticks=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=40),
       size=st.integers(min_value=1, max_value=12))
def test_keyset_walk_equals_the_ordered_list_for_any_data(workgroup, ticks, size):
    base = timezone.now()
    queryset = _events([base - timedelta(seconds=t) for t in ticks])

    assert _walk(queryset, size) == list(queryset.order_by("-occurred_at", "-id").values_list("pk", flat=True))


def test_newer_goes_back_to_exactly_the_previous_page(workgroup):
    queryset = _events([timezone.now() - timedelta(seconds=i) for i in range(30)])
    first = keyset_page(queryset, size=10)
    second = keyset_page(queryset, after=first.older, size=10)
    third = keyset_page(queryset, after=second.older, size=10)

    back = keyset_page(queryset, before=third.newer, size=10)

    assert [e.pk for e in back] == [e.pk for e in second]
    assert first.is_first and not first.newer
    assert not third.older


def test_a_keyset_page_is_one_query_at_any_depth(workgroup):
    queryset = _events([timezone.now() - timedelta(seconds=i) for i in range(500)])
    cursor = None
    for _ in range(30):
        cursor = keyset_page(queryset, after=cursor, size=10).older

    with CaptureQueriesContext(connection) as deep:
        keyset_page(queryset, after=cursor, size=10)

    assert len(deep) == 1
    assert "OFFSET" not in deep[0]["sql"].upper()
