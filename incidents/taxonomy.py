"""The two-level taxonomy of contributing factors reviewers choose from.

Domains follow the contributing-factor frameworks incident-review systems share (the London Protocol's
and the NPSA's, say), narrowed to what goes wrong between 988 centers, 911 centers and responders.
A starting point: the codes are stable keys stored on incidents; the labels may be reworded.
"""

from __future__ import annotations

TAXONOMY: dict[str, tuple[str, dict[str, str]]] = {
    "communication": ("Communication", {
        "between_centers": "Information not shared or misunderstood between 988 and 911",
        "with_responders": "Information not passed to responders in the field",
        "with_caller": "Misunderstanding with the caller or a third party",
        "language_access": "Interpreter or language access not available in time",
    }),
    "handoff": ("Hand-off and transfer", {
        "warm_transfer_failed": "Warm transfer not completed (dropped, refused or timed out)",
        "incomplete_handoff": "Hand-off missing risk, location or call-back details",
        "no_confirmation": "No confirmation that the receiving partner took the call",
        "follow_up_missed": "Follow-up after the transfer not done",
    }),
    "protocol": ("Protocol and procedure", {
        "not_followed": "Triage protocol not followed",
        "unclear": "Protocol unclear or silent on the situation",
        "outdated": "Protocol out of date with current practice or agreements",
        "risk_misjudged": "Risk level assessed differently by the partners",
    }),
    "technology": ("Technology", {
        "telephony": "Telephony or transfer line failure",
        "cad_or_crm": "CAD or crisis-line software problem",
        "location_data": "Location data unavailable or wrong",
        "interface": "Data interface between systems not working",
    }),
    "staffing_training": ("Staffing and training", {
        "staffing_level": "Not enough staff on shift",
        "training_gap": "Staff not trained on the joint procedure",
        "fatigue_workload": "Fatigue or workload",
        "supervision": "Supervisor or clinical consult not available",
    }),
    "resources": ("Responder availability", {
        "mobile_crisis_unavailable": "No mobile crisis team available",
        "response_delay": "Responder arrived late",
        "coverage_gap": "No service for the area or at that hour",
    }),
    "environment": ("Environment and scene", {
        "scene_safety": "Scene safety risk to staff or responders",
        "remote_location": "Remote or hard-to-reach location",
        "volume_surge": "Call volume surge",
    }),
    "organisational": ("Organization and agreements", {
        "roles_unclear": "Roles between partners unclear",
        "agreement_gap": "Agreement does not cover the situation",
        "policy_conflict": "Partners' policies conflict",
    }),
}

FACTOR_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    (domain_label, [(f"{domain}.{code}", label) for code, label in factors.items()])
    for domain, (domain_label, factors) in TAXONOMY.items()
]
FACTOR_CODES: frozenset[str] = frozenset(code for _, choices in FACTOR_CHOICES for code, _ in choices)
DOMAIN_LABELS: dict[str, str] = {domain: label for domain, (label, _) in TAXONOMY.items()}


def factor_label(code: str) -> str:
    """'Hand-off and transfer: Warm transfer not completed …', or the code itself if it is no longer known."""
    domain, _, factor = code.partition(".")
    if domain not in TAXONOMY or factor not in TAXONOMY[domain][1]:
        return code
    domain_label, factors = TAXONOMY[domain]
    return f"{domain_label}: {factors[factor]}"


def domain_of(code: str) -> str:
    return code.partition(".")[0]
