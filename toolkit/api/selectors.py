"""The API's reads of protocols: a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from triage.models import InForcePeriod, Node, NodeKind, Protocol, RiskLevel
from triage.selectors import version_contents

if TYPE_CHECKING:
    from toolkit.models import Workgroup


def _in_force(protocol: Protocol) -> Protocol:
    """Sets ``version_in_force`` and ``in_force_since`` from the prefetched open period (or None)."""
    period = protocol.api_periods[0] if protocol.api_periods else None
    protocol.version_in_force = period.version if period else None
    protocol.in_force_since = period.started_at if period else None
    return protocol


def protocols_in_force(*, workgroup: Workgroup) -> QuerySet[Protocol]:
    """The workgroup's protocols by name, each with its open in-force period, that version's risk levels and its
    outcomes prefetched (``api_periods``); the serializer reads them through ``version_in_force``."""
    periods = InForcePeriod.objects.filter(ended_at__isnull=True).select_related("version").prefetch_related(
        Prefetch("version__risk_levels", queryset=RiskLevel.objects.order_by("order", "name"),
                 to_attr="api_risk_levels"),
        Prefetch("version__nodes", queryset=Node.objects.filter(kind=NodeKind.OUTCOME).order_by("order", "pk"),
                 to_attr="api_outcomes"),
    )
    return (Protocol.objects.filter(workgroup=workgroup)
            .prefetch_related(Prefetch("in_force_periods", queryset=periods, to_attr="api_periods"))
            .order_by("name", "pk"))


def with_version_in_force(protocols: list[Protocol]) -> list[Protocol]:
    return [_in_force(protocol) for protocol in protocols]


def version_tree(protocol: Protocol) -> Protocol:
    """One protocol with the whole tree of its version in force (``version_contents``: five queries)."""
    period = protocol.in_force_periods.filter(ended_at__isnull=True).select_related("version").first()
    protocol.version_in_force = period.version if period else None
    protocol.in_force_since = period.started_at if period else None
    if period is not None:
        version = period.version
        contents = version_contents(version)
        version.api_nodes, version.api_risk_levels = contents.nodes, contents.risk_levels
        version.api_criteria = contents.criteria
    return protocol
