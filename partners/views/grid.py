"""Coverage of the recommended sectors and the power–interest grid (page and SVG)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from partners import selectors
from partners.charts import MAX_DRAWN_POINTS, GridPoint, power_interest_svg, square_counts
from partners.grid_selectors import grid_points, grid_quadrants, inactive_count, numbered
from partners.models import Quadrant
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, workgroup_view

GRID_PAGE_SIZE = 25
CUSTOM_SECTORS_SHOWN = 30  # the coverage page lists the workgroup's own sectors up to this; Sectors has them all


def _include_inactive(request: HttpRequest) -> bool:
    return request.GET.get("inactive") == "1"


def _as_of(request: HttpRequest) -> tuple[date | None, datetime | None]:
    """``?as_of=YYYY-MM-DD``: the map at the end of that day; anything unparsable means today."""
    try:
        day = date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None, None
    if day >= timezone.localdate():
        return None, None
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    return day, end_of_day


def _chart(request: HttpRequest, points: list[GridPoint], **options) -> str:
    return power_interest_svg(points, title=f"Power–interest grid · {request.workgroup.name}", **options)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    cover = selectors.coverage(workgroup=request.workgroup)
    context = {
        "coverage": cover,
        "tiers": [
            {
                "key": "core",
                "title": "Core sectors",
                "rows": cover.core,
                "empty": "No core sectors defined.",
                "intro": "The toolkit recommends that every interoperability workgroup has these members.",
            },
            {
                "key": "additional",
                "title": "Additional sectors",
                "rows": cover.additional,
                "empty": "No additional sectors defined.",
                "intro": "Recommended as well, depending on how crisis services are organized locally.",
            },
            {
                "key": "custom",
                "title": "Sectors added by the workgroup",
                "rows": cover.custom[:CUSTOM_SECTORS_SHOWN],
                "more": max(0, len(cover.custom) - CUSTOM_SECTORS_SHOWN),
                "empty": "The workgroup has not added sectors of its own.",
                "intro": "Listed for completeness; they do not count towards the coverage score.",
            },
        ],
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    return render(request, "partners/coverage.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def grid(request: HttpRequest) -> HttpResponse:
    """The chart, a summary per quadrant (strategy, counts, the few to engage first) and a paginated list."""
    include_inactive = _include_inactive(request)
    as_of_day, as_of = _as_of(request)
    points = grid_points(workgroup=request.workgroup, include_inactive=include_inactive, as_of=as_of)
    quadrants = grid_quadrants(points)
    quadrant = request.GET.get("quadrant", "")
    listed = quadrants[quadrant].entries if quadrant in Quadrant.values else numbered(points)
    # Bootstrap utilities: scale with the column; no link underline under the point numbers. The list
    # below names the organizations, so the chart leaves out its own key.
    chart = _chart(request, points, css_class="w-100 h-auto", link_class="text-decoration-none", key=False)
    context = {
        # power_interest_svg escapes every piece of user text itself (see partners/charts.py).
        "chart": mark_safe(chart),  # noqa: S308
        "point_count": len(points),
        "square_counts": square_counts(points),  # the chart's figures as a table
        "numbered_chart": len(points) <= MAX_DRAWN_POINTS,
        # Rows mirror the chart: high influence on top, high interest on the right.
        "quadrant_rows": [
            [quadrants[Quadrant.KEEP_SATISFIED], quadrants[Quadrant.MANAGE_CLOSELY]],
            [quadrants[Quadrant.MONITOR], quadrants[Quadrant.KEEP_INFORMED]],
        ],
        "quadrant": quadrant if quadrant in Quadrant.values else "",
        "quadrant_choices": Quadrant.choices,
        "page_obj": paginate(request, listed, per_page=GRID_PAGE_SIZE),
        "include_inactive": include_inactive,
        "as_of": as_of_day,
        "inactive_count": inactive_count(workgroup=request.workgroup),
        "needs_raising": sum(group.to_raise for group in quadrants.values()),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    return render(request, "partners/grid.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def grid_svg(request: HttpRequest) -> HttpResponse:
    _, as_of = _as_of(request)
    points = grid_points(workgroup=request.workgroup, include_inactive=_include_inactive(request), as_of=as_of)
    response = HttpResponse(_chart(request, points), content_type="image/svg+xml; charset=utf-8")
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="power-interest-grid-{request.workgroup.slug}.svg"'
    return response
