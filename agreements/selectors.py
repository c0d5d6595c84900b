"""Reads for agreements; the dashboard card, rendering of a version, and protocol drift.

Every list is read through ``restrict`` on the membership the request resolved, in a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from toolkit.permissions import Action, membership_allows
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
        # Only the values this version holds: a variable added to the template later has no say in its text.
        variables={_text(spec.label): values[spec.name] for spec in specs if spec.name in version.variables},
        reference=f"crisis-interop-toolkit:agreement:{agreement.pk}:version:{version.number}",
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
    start_label = "Open agreements"
    waiting = counts.get(AgreementStatus.IN_REVIEW, 0)
    if waiting and membership_allows(membership, Action.REVIEW_AGREEMENTS):  # a reviewer starts at the queue
        start_url = reverse("agreements:review-queue", kwargs={"slug": workgroup.slug})
        start_label = f"Review {waiting} waiting"
    return Card(area="agreements", title="Agreements",
                status=f"{total} agreement{'s' if total != 1 else ''}.",
                progress=Progress.ON_TRACK if done and not warnings else Progress.IN_PROGRESS, start_url=start_url,
                start_label=start_label, guidance_slug="contractual-considerations", facts=facts,
                warnings=warnings)


def comments_open_on(*, agreement_id: int, version_number: int) -> QuerySet[ReviewComment]:
    """The comments open on one version: raised on it or on any earlier version, and not resolved yet.

    What counts as open is decided here only: the pages, the approval check and the packet all ask this.
    """
    return ReviewComment.objects.filter(agreement_id=agreement_id, version__number__lte=version_number,
                                        resolved_at__isnull=True)


def open_comments_by_clause(*, version: AgreementVersion) -> dict[str, int]:
    """How many comments are open on each clause of ``version``."""
    rows = (comments_open_on(agreement_id=version.agreement_id, version_number=version.number)
            .order_by().values("clause_key").annotate(n=Count("id")))
    return {row["clause_key"]: row["n"] for row in rows}


def _with_threads(comments: QuerySet[ReviewComment]) -> QuerySet[ReviewComment]:
    """Comments with what their display reads: authors, the version raised on, the replies and their authors."""
    from django.db.models import Prefetch

    from agreements.models import CommentReply

    return (comments.select_related("author", "resolved_by", "version")
            .prefetch_related(Prefetch("replies", queryset=CommentReply.objects.select_related("author"))))


def open_comments(*, agreement: Agreement) -> dict[str, list[ReviewComment]]:
    """The comments open on the agreement's current version by clause key, oldest first, with their threads."""
    grouped: dict[str, list[ReviewComment]] = {}
    comments = comments_open_on(agreement_id=agreement.pk, version_number=agreement.current_version_number)
    for comment in _with_threads(comments).order_by("created_at", "id"):
        grouped.setdefault(comment.clause_key, []).append(comment)
    return grouped


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


# --- Legal review ----------------------------------------------------------------------------------


def last_reviewed_version(*, agreement: Agreement, user) -> int | None:
    """The latest version this person acted on (commented, replied, resolved or decided): "since you last looked".

    Derived from what they did, so reading a page never writes. One query.
    """
    latest = (Agreement.objects.filter(pk=agreement.pk).annotate(n=_last_acted_on(agreement.pk, user))
              .values_list("n", flat=True).first())
    return latest or None


def rendered_versions(*, agreement: Agreement, numbers: set[int]) -> dict[int, RenderedAgreement]:
    """Several versions of one agreement rendered, read in one query (plus the agreement's own, read once)."""
    versions = agreement.versions.filter(number__in=numbers)
    rendered = {}
    for version in versions:
        version.agreement = agreement  # the parties and template the caller loaded, not read again per version
        rendered[version.number] = render_version(version)
    return rendered


def review_comments(*, agreement: Agreement, clause_key: str, up_to_version: int) -> list[ReviewComment]:
    """Every comment on one clause raised up to that version — open ones first, then resolved — with their threads."""
    comments = ReviewComment.objects.filter(agreement=agreement, clause_key=clause_key,
                                            version__number__lte=up_to_version)
    return sorted(_with_threads(comments), key=lambda c: (c.resolved_at is not None, c.created_at, c.pk))


def review_queue(*, membership: Membership | None, user) -> QuerySet[Agreement]:
    """Agreements waiting for legal review in the workgroup, longest-waiting first, each with its open comments
    and whether this person has acted on its current version yet (all in one query)."""
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce

    open_comments = (ReviewComment.objects.filter(agreement=OuterRef("pk"), resolved_at__isnull=True)
                     .order_by().values("agreement_id").annotate(n=Count("id")).values("n")[:1])
    return (Agreement.objects.restrict(membership, Action.REVIEW_AGREEMENTS)
            .filter(status=AgreementStatus.IN_REVIEW)
            .select_related("template").prefetch_related("parties")
            .annotate(open_comments=Coalesce(Subquery(open_comments, output_field=IntegerField()), 0),
                      my_last=_last_acted_on(OuterRef("pk"), user))
            .order_by("updated_at", "id"))


def _last_acted_on(agreement, user):
    """The latest version ``user`` commented on, replied on, resolved a comment on or decided: one expression,
    for one agreement (``agreement``: an id or an OuterRef)."""
    from django.db.models import IntegerField, Max, Subquery
    from django.db.models.functions import Coalesce, Greatest

    from agreements.models import CommentReply, ReviewDecision

    def latest(queryset, group, field):
        return Coalesce(Subquery(queryset.order_by().values(group).annotate(m=Max(field)).values("m")[:1],
                                 output_field=IntegerField()), 0)

    return Greatest(
        latest(ReviewComment.objects.filter(agreement=agreement, author=user), "agreement_id", "version__number"),
        latest(ReviewComment.objects.filter(agreement=agreement, resolved_by=user), "agreement_id",
               "resolved_on_version"),
        latest(CommentReply.objects.filter(comment__agreement=agreement, author=user), "comment__agreement_id",
               "version_number"),
        latest(ReviewDecision.objects.filter(agreement=agreement, reviewer=user), "agreement_id",
               "version__number"),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class ReviewClause:
    key: str
    number: int | None  # None: no longer in this version's text
    title: str
    status: str  # changed | added | unchanged | removed | "" (nothing to compare with)
    open_count: int


@dataclass
class ReviewState:
    version_number: int
    since: int | None  # the version the redline starts from
    last_reviewed: int | None
    clauses: list[ReviewClause]
    selected: ReviewClause | None
    clause_html: str  # the selected clause's text in this version ("" when it is no longer in it)
    redline_html: str  # since ``since`` ("" when there is nothing to compare)
    comments: list[ReviewComment]  # each with .carried, .since_raised_html, .quote_found set
    open_total: int


def review_state(*, agreement: Agreement, version: AgreementVersion, user, clause_key: str = "",
                 since: int | None = None) -> ReviewState:
    """Everything the review page shows for one version and one selected clause, in a fixed number of queries.

    ``agreement`` should come with its parties and its template's variables loaded (rendering reads them).
    """
    from agreements.exports import redline, redline_clauses
    from agreements.rendering import plain_text

    last = last_reviewed_version(agreement=agreement, user=user)
    if since is None or not 1 <= since < version.number:
        since = last if last and last < version.number else (version.number - 1 or None)
    counts = open_comments_by_clause(version=version)
    numbers = {version.number} | ({since} if since else set())
    rendered = rendered_versions(agreement=agreement, numbers=numbers)
    shown = rendered[version.number]
    changes = ({c.key: c for c in redline_clauses(rendered[since].clauses, shown.clauses)} if since else {})
    clauses = [ReviewClause(c.key, c.number, c.title, changes[c.key].status if since else "", counts.get(c.key, 0))
               for c in shown.clauses]
    present = {c.key for c in shown.clauses}
    for key, n in counts.items():  # open comments on clauses this version no longer has
        if key not in present:
            title = changes[key].title if key in changes else key
            clauses.append(ReviewClause(key, None, title, "removed", n))
    by_key = {c.key: c for c in clauses}
    selected = by_key.get(clause_key) or next((c for c in clauses if c.open_count), None) or (
        clauses[0] if clauses else None)
    clause_html = redline_html = ""
    comments: list[ReviewComment] = []
    if selected is not None:
        text = next((c.html for c in shown.clauses if c.key == selected.key), "")
        clause_html = text
        if since and selected.key in changes and changes[selected.key].status != "unchanged":
            redline_html = changes[selected.key].html
        comments = review_comments(agreement=agreement, clause_key=selected.key, up_to_version=version.number)
        raised = {c.version.number for c in comments if c.is_open and c.version.number < version.number}
        if missing := raised - rendered.keys():  # the versions open comments were raised on, read in one query
            rendered.update(rendered_versions(agreement=agreement, numbers=missing))
        plain = " ".join(plain_text(text).split())
        for comment in comments:
            comment.carried = comment.version.number < version.number
            comment.since_raised_html = ""
            then = rendered.get(comment.version.number)
            if comment.carried and comment.is_open and then is not None:
                before = next((c.html for c in then.clauses if c.key == selected.key), "")
                if before != text:
                    comment.since_raised_html = redline(before, text)
            comment.quote_found = not comment.quote or comment.quote in plain
    return ReviewState(version_number=version.number, since=since, last_reviewed=last, clauses=clauses,
                       selected=selected, clause_html=clause_html, redline_html=redline_html, comments=comments,
                       open_total=sum(counts.values()))


def review_decisions(*, version: AgreementVersion) -> list:
    from agreements.models import ReviewDecision

    return list(ReviewDecision.objects.filter(version=version).select_related("reviewer").order_by("created_at",
                                                                                                   "id"))


def executed_agreement_parties(*, workgroup: Workgroup) -> list[tuple[int, frozenset[int]]]:
    """Every executed agreement of the workgroup with the organizations that are parties to it, newest first.

    What another area asks to find the agreement that governs a pair of partners (a transfer between them):
    one query, so an import of a year of transfers resolves every pair in memory.
    """
    parties: dict[int, set[int]] = {}
    rows = (AgreementParty.objects
            .filter(agreement__workgroup=workgroup, agreement__status=AgreementStatus.EXECUTED,
                    organization__isnull=False)
            .order_by("-agreement__updated_at", "-agreement_id")
            .values_list("agreement_id", "organization_id"))
    for agreement_id, organization_id in rows:
        parties.setdefault(agreement_id, set()).add(organization_id)
    return [(agreement_id, frozenset(ids)) for agreement_id, ids in parties.items()]
