"""Request examples shown in the OpenAPI schema and the interactive docs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

TRANSFER_IN = OpenApiExample(
    "Warm transfer 911 to 988",
    request_only=True,
    value={
        "direction": "911_to_988", "sending_organization": 12, "receiving_organization": 15,
        "partner_call_id": "CAD-2026-004512", "initiated_at": "2026-03-01T14:05:00-05:00",
        "accepted_at": "2026-03-01T14:05:40-05:00", "ended_at": "2026-03-01T14:21:00-05:00", "kind": "warm",
        "consent": "agreed", "result": "accepted", "outcome": 311,
    },
)

INCIDENT_IN = OpenApiExample(
    "A dropped transfer",
    request_only=True,
    value={
        "incident_class": "no_harm", "category": "failed_transfer",
        "occurred_at": "2026-03-01T02:10:00-05:00", "discovered_at": "2026-03-01T02:40:00-05:00",
        "narrative": "The warm transfer to 988 rang out after 90 seconds; the call-taker called back and "
                     "completed the transfer on the backup line.",
        "organizations": [12, 15], "transfer_direction": "911_to_988", "cad_reference": "CAD-2026-004530",
        "harm_estimate": "none",
    },
)
