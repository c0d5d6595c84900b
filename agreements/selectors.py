"""Reads for agreements; the dashboard card, rendering of a version, and protocol drift.

Every list is read through ``restrict`` on the membership the request resolved, in a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementParty, AgreementStatus, AgreementVersion, ReviewComment
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
from toolkit.permissions import Action
from toolkit.text import xml_safe

DRIFT_WARNINGS_SHOWN = 3


def agreement_list(*, membership: Membership | None, status: str = "", party: str = "") -> QuerySet[Agreement]:
    """The agreement list: newest change first; ``party`` matches part of a party's name (trigram-indexed)."""
    queryset = (Agreement.objects.restrict(membership, Action.VIEW_WORKGROUP)
                .select_related("template").prefetch_related("parties").order_by("-updated_at", "-id"))
    if status:
        queryset = queryset.filter(status=status)
    if party:
        # EXISTS rather than a join: no duplicate rows, no DISTINCT over the whole list.
        queryset = queryset.filter(Exists(AgreementParty.objects.filter(agreement=OuterRef("pk"),
                                                                        name__icontains=party)))
    return queryset


def _text(value: object) -> str:
    # Rows written before the normaliser existed may hold characters no document (or nh3) accepts.
    return xml_safe(value)


def render_version(version: AgreementVersion) -> RenderedAgreement:
    """The version exactly as saved: its own clause texts, values and parties (a snapshot).

    Every text passes through ``xml_safe`` here, so the page, the DOCX and the PDF all start from
    text they can hold, however old the row.
    """
    agreement = version.agreement
    workgroup = agreement.workgroup
    specs = [VariableSpec(v.name, v.label, v.type, tuple(v.choices)) for v in agreement.template.variables.all()]
    stored = {name: _text(value) for name, value in version.variables.items()}
    parties = [{**party, "name": _text(party.get("name", "")),
                "signatory_name": _text(party.get("signatory_name", "")),
                "signatory_title": _text(party.get("signatory_title", ""))} for party in version.parties]
    party_names = [party["name"] for party in parties]
    values = values_for(specs, stored, title=_text(version.title), workgroup_name=_text(workgroup.name),
                        workgroup_jurisdiction=_text(workgroup.jurisdiction_name), party_names=party_names)
    flags = flags_for(specs, stored,
                      has_substance_use_provider=any(party.get("substance_use") for party in parties))
    clauses = [ClauseText(c["key"], _text(c["title"]), _text(c["body"]), c.get("condition", ""))
               for c in version.clauses]
    signed = {_text(p.name): p.signed_on.isoformat() if p.signed_on else "" for p in agreement.parties.all()}
    current = version.number == agreement.current_version_number
    return RenderedAgreement(
        title=_text(version.title),
        kind_label=agreement.template.get_kind_display(),
        workgroup_name=_text(workgroup.name),
        version_number=version.number,
        status_label=agreement.get_status_display(),
        # Only the current version is approved or executed; an older one is a superseded text.
        is_executed=current and agreement.status == AgreementStatus.EXECUTED,
        is_approved=current and agreement.status == AgreementStatus.APPROVED,
        parties=tuple(RenderedParty(p["name"], p["signatory_name"], p["signatory_title"], signed.get(p["name"], ""))
                      for p in parties),
        clauses=render_clauses(clauses, values=values, flags=flags),
        variables={_text(spec.label): values[spec.name] for spec in specs},
    )


def agreements_needing_review(*, membership: Membership | None) -> QuerySet[Agreement]:
    """Agreements whose triage protocol has a newer version in force than the one they were saved with.

    Two queries however many agreements: the versions in force now (triage's selector), then the
    agreements on those protocols saved with another version.
    """
    from triage.selectors import version_in_force_at  # triage's selector, not its tables

    agreements = Agreement.objects.restrict(membership, Action.VIEW_WORKGROUP)
    if membership is None:
        return agreements
    in_force = version_in_force_at(workgroup=membership.workgroup, when=timezone.now())
    if not in_force:
        return agreements.none()
    stale = reduce(or_, (Q(protocol_id=v.protocol_id) & ~Q(protocol_version_id=v.pk) for v in in_force))
    return agreements.filter(stale).order_by("-updated_at", "-id")


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    """At most four queries: counts per status, open comments, the versions in force, the drifted agreements."""
    start_url = reverse("agreements:index", kwargs={"slug": workgroup.slug})
    agreements = Agreement.objects.restrict(membership, Action.VIEW_WORKGROUP)
    counts = dict(agreements.order_by().values_list("status").annotate(n=Count("id")))
    if not counts:
        return Card(area="agreements", title="Agreements", status="No MOU or agreement drafted yet.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Start an agreement",
                    guidance_slug="contractual-considerations")
    open_comments = ReviewComment.objects.restrict(membership, Action.VIEW_WORKGROUP).filter(
        resolved_at__isnull=True).count()
    facts = [f"{label}: {counts[value]}" for value, label in AgreementStatus.choices if counts.get(value)]
    if open_comments:
        facts.append(f"Open review comments: {open_comments}")
    # The first few titles and how many there are, in one query (a window count over the same rows).
    shown = list(agreements_needing_review(membership=membership).annotate(total=Window(Count("id")))
                 .values_list("title", "total")[:DRIFT_WARNINGS_SHOWN])
    warnings = [f"“{title}” covers a protocol that has a newer version in force: review it." for title, _ in shown]
    if shown and (more := shown[0][1] - len(shown)) > 0:
        warnings.append(f"{more} more agreement{'s' if more != 1 else ''} cover{'' if more != 1 else 's'} "
                        "a protocol that has a newer version in force.")
    done = counts.get(AgreementStatus.EXECUTED, 0) + counts.get(AgreementStatus.APPROVED, 0)
    total = sum(counts.values())
    return Card(area="agreements", title="Agreements",
                status=f"{total} agreement{'s' if total != 1 else ''}.",
                progress=Progress.ON_TRACK if done and not warnings else Progress.IN_PROGRESS, start_url=start_url,
                start_label="Open agreements", guidance_slug="contractual-considerations", facts=facts,
                warnings=warnings)


def open_comments_by_clause(*, version: AgreementVersion) -> dict[str, int]:
    rows = (version.comments.filter(resolved_at__isnull=True).order_by().values("clause_key")
            .annotate(n=Count("id")))
    return {row["clause_key"]: row["n"] for row in rows}


LINKABLE_AGREEMENTS = 50


def agreements_for_linking(*, workgroup: Workgroup, organization_ids: list[int] | None = None,
                           keep_ids: list[int] | None = None) -> QuerySet[Agreement]:
    """Agreements another area may link a row to (an incident to the agreement governing the transfer).

    Those with one of ``organization_ids`` as a party when given (else all), newest change first, at most
    LINKABLE_AGREEMENTS of them — plus ``keep_ids``, the ones already linked — so a choice list stays readable.
    """
    candidates = Agreement.objects.filter(workgroup=workgroup)
    if organization_ids is not None:
        candidates = candidates.filter(Exists(AgreementParty.objects.filter(
            agreement=OuterRef("pk"), organization_id__in=organization_ids)))
    ids = list(candidates.order_by("-updated_at", "-id").values_list("pk", flat=True)[:LINKABLE_AGREEMENTS])
    return Agreement.objects.filter(workgroup=workgroup, pk__in=[*ids, *(keep_ids or [])]).order_by("title", "pk")


def data_sharing_agreements(*, workgroup: Workgroup) -> QuerySet[Agreement]:
    """Data sharing agreements that are in effect (approved or executed): what a data use agreement may name.

    Incidents' limited data set leaves only under one of these; a draft, or one back in review, does not count.
    """
    from agreements.models import AgreementKind

    return (Agreement.objects.filter(workgroup=workgroup, template__kind=AgreementKind.DATA_SHARING,
                                     status__in=(AgreementStatus.APPROVED, AgreementStatus.EXECUTED))
            .order_by("title", "pk"))
