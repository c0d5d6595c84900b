"""Reads for agreements; the dashboard card, rendering of a version, and protocol drift."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus, AgreementVersion, ReviewComment
from agreements.rendering import (
    ClauseText,
    RenderedAgreement,
    RenderedParty,
    VariableSpec,
    flags_for,
    render_clauses,
    values_for,
)
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def agreement_list(*, workgroup: Workgroup, status: str = "", party: str = "") -> QuerySet[Agreement]:
    queryset = Agreement.objects.filter(workgroup=workgroup).select_related("template").prefetch_related("parties")
    if status:
        queryset = queryset.filter(status=status)
    if party:
        queryset = queryset.filter(parties__name__icontains=party).distinct()
    return queryset


def render_version(version: AgreementVersion) -> RenderedAgreement:
    """The version exactly as saved: its own clause texts, values and parties (a snapshot)."""
    agreement = version.agreement
    workgroup = agreement.workgroup
    specs = [VariableSpec(v.name, v.label, v.type, tuple(v.choices)) for v in agreement.template.variables.all()]
    party_names = [party["name"] for party in version.parties]
    values = values_for(specs, version.variables, title=version.title, workgroup_name=workgroup.name,
                        workgroup_jurisdiction=workgroup.jurisdiction_name, party_names=party_names)
    flags = flags_for(specs, version.variables,
                      has_substance_use_provider=any(party.get("substance_use") for party in version.parties))
    clauses = [ClauseText(c["key"], c["title"], c["body"], c.get("condition", "")) for c in version.clauses]
    signed = {p.name: p.signed_on.isoformat() if p.signed_on else "" for p in agreement.parties.all()}
    return RenderedAgreement(
        title=version.title,
        kind_label=agreement.template.get_kind_display(),
        workgroup_name=workgroup.name,
        version_number=version.number,
        status_label=agreement.get_status_display(),
        is_executed=agreement.status == AgreementStatus.EXECUTED,
        parties=tuple(RenderedParty(p["name"], p.get("signatory_name", ""), p.get("signatory_title", ""),
                                    signed.get(p["name"], "")) for p in version.parties),
        clauses=render_clauses(clauses, values=values, flags=flags),
        variables={spec.label: values[spec.name] for spec in specs},
    )


def agreements_needing_review(*, workgroup: Workgroup) -> list[Agreement]:
    """Agreements whose triage protocol has a newer version in force than the one they were saved with."""
    from triage.selectors import version_in_force  # triage's selector, not its tables

    flagged = []
    for agreement in Agreement.objects.filter(workgroup=workgroup, protocol__isnull=False).select_related(
        "protocol", "protocol_version"
    ):
        current = version_in_force(protocol=agreement.protocol)
        if current is not None and current.pk != agreement.protocol_version_id:
            flagged.append(agreement)
    return flagged


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    start_url = reverse("agreements:index", kwargs={"slug": workgroup.slug})
    counts = dict(Agreement.objects.filter(workgroup=workgroup).values_list("status").annotate(n=Count("id")))
    if not counts:
        return Card(area="agreements", title="Agreements", status="No MOU or agreement drafted yet.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Start an agreement",
                    guidance_slug="contractual-considerations")
    open_comments = ReviewComment.objects.filter(workgroup=workgroup, resolved_at__isnull=True).count()
    facts = [f"{label}: {counts[value]}" for value, label in AgreementStatus.choices if counts.get(value)]
    if open_comments:
        facts.append(f"Open review comments: {open_comments}")
    warnings = [f"“{a.title}” covers a protocol that has a newer version in force: review it."
                for a in agreements_needing_review(workgroup=workgroup)]
    done = counts.get(AgreementStatus.EXECUTED, 0) + counts.get(AgreementStatus.APPROVED, 0)
    return Card(area="agreements", title="Agreements",
                status=f"{sum(counts.values())} agreement{'s' if sum(counts.values()) != 1 else ''}.",
                progress=Progress.ON_TRACK if done and not warnings else Progress.IN_PROGRESS, start_url=start_url,
                start_label="Open agreements", guidance_slug="contractual-considerations", facts=facts,
                warnings=warnings)


def open_comments_by_clause(*, version: AgreementVersion) -> dict[str, int]:
    rows = version.comments.filter(resolved_at__isnull=True).values("clause_key").annotate(n=Count("id"))
    return {row["clause_key"]: row["n"] for row in rows}

