"""Agreement packets: the agreement version with its exhibits and signature pages, as one PDF.

A packet is what a legal reviewer sends to each party's counsel and what the parties sign. Each section
comes from its app's selectors (``partners.selectors``, ``triage.selectors``); nothing here reads another
app's tables. The runner (``run_agreement_packet``) is a job kind on the ``pdf`` queue: it gathers the
sections one by one (progress says which), lets WeasyPrint lay out and tag the document, streams it into
the job's output, and records the page count, size and SHA-256 on the packet.

What the paper says about status (``paper_status``):

* draft, in review, changes requested: a DRAFT watermark on every page and "not for signature";
* approved: a clean copy for signature (no watermark), "Approved for signature" with the date and approver;
* executed: the signature date of each party on its signature block;
* a version that is no longer the agreement's current one: SUPERSEDED on every page.

The same packet built again gives the same bytes (its dates are the packet's request time and the rows'
own dates, never "now"); another packet of the same version and options gives the same text.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from agreements.models import (
    Agreement,
    AgreementPacket,
    AgreementStatus,
    AgreementVersion,
    Clause,
    PacketSection,
    ReviewComment,
)
from agreements.selectors import comments_open_on, render_version
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.models import AuditAction
from toolkit.permissions import Action
from toolkit.text import xml_safe

PDF_QUEUE = "pdf"
KIND = "agreement_packet"

DRAFT_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.IN_REVIEW, AgreementStatus.CHANGES_REQUESTED)

# Which interoperability function of the partner map (its RACI row) answers for each triage route: the
# party accountable (A) for it leads that decision point, the parties responsible (R) support it. Keys are
# the default functions' keys (partners.defaults); a workgroup that removed one sees "not assigned".
ROUTE_FUNCTIONS = {
    "988_remote": "receive-assess",
    "988_mobile_crisis": "dispatch-mobile-crisis",
    "911_to_988": "transfer-911-988",
    "988_to_911": "transfer-988-911",
    "ems_le_with_bh": "dispatch-ems-police",
    "ems": "dispatch-ems-police",
    "law_enforcement": "dispatch-ems-police",
    "co_response": "dispatch-ems-police",
    "referral": "follow-up",
    # Tribal or other local responders and calls outside the protocol have no default function of their own.
}

# Clauses of these library categories are the data-sharing terms; these variables are their key figures.
DATA_SHARING_CATEGORY = "information"
DATA_SHARING_VARIABLES = ("breach_notice_hours", "data_retention_months", "reporting_frequency")


# --- Options -------------------------------------------------------------------------------------


def available_sections(agreement: Agreement, version: AgreementVersion) -> list[PacketSection]:
    """The sections this version can have: a protocol exhibit needs a protocol; comments need an unapproved version."""
    sections = [PacketSection.DIRECTORY, PacketSection.RACI]
    if agreement.protocol_version_id:
        sections.append(PacketSection.PROTOCOL)
    sections.append(PacketSection.DATA_SHARING)
    if not is_approved_copy(agreement, version):
        sections.append(PacketSection.COMMENTS)
    return sections


def normalise_sections(chosen: list[str]) -> list[str]:
    """The chosen sections in the packet's order, each once; unknown values are refused."""
    unknown = sorted(set(chosen) - set(PacketSection.values))
    if unknown:
        raise ValidationError({"sections": f"Unknown sections: {', '.join(unknown)}."})
    return [value for value in PacketSection.values if value in chosen]


def options_key(sections: list[str], *, as_zip: bool = False) -> str:
    return (",".join(sections) or "-") + ("+zip" if as_zip else "")


# --- Status on paper --------------------------------------------------------------------------------


def is_current(agreement: Agreement, version: AgreementVersion) -> bool:
    return version.number == agreement.current_version_number


def is_approved_copy(agreement: Agreement, version: AgreementVersion) -> bool:
    return is_current(agreement, version) and agreement.status in (AgreementStatus.APPROVED,
                                                                    AgreementStatus.EXECUTED)


@dataclass(frozen=True)
class PaperStatus:
    label: str  # "Draft — not for signature", "Approved for signature", "Executed", "Superseded …"
    watermark: str  # "" for a clean copy
    approved_on: datetime | None = None
    approved_by: str = ""
    executed: bool = False


def paper_status(agreement: Agreement, version: AgreementVersion) -> PaperStatus:
    if not is_current(agreement, version):
        return PaperStatus(f"Superseded by version {agreement.current_version_number} — not for signature",
                           "SUPERSEDED")
    if agreement.status in DRAFT_STATUSES:
        return PaperStatus(f"{agreement.get_status_display()} — DRAFT, not for signature", "DRAFT")
    approver = agreement.approved_by.get_full_name() or agreement.approved_by.email if agreement.approved_by else ""
    if agreement.status == AgreementStatus.APPROVED:
        return PaperStatus("Approved for signature", "", agreement.approved_at, xml_safe(approver))
    return PaperStatus("Executed", "", agreement.approved_at, xml_safe(approver), executed=True)


# --- Sections ---------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str  # the heading, the contents entry and the bookmark
    anchor: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionPoint:
    row: object  # triage.selectors.ExhibitMatrixRow
    lead: str
    supporting: str
    note: str = ""  # why there is no lead
    facts: tuple[str, ...] = ()  # "Weapon present: Yes", for the criteria the path settles


@dataclass(frozen=True)
class PacketParty:
    organization_id: int | None
    name: str


def _parties(agreement: Agreement, version: AgreementVersion) -> list[PacketParty]:
    """The version's own parties (its snapshot), with the partner-map organization each one is.

    Snapshots made before organization ids were kept are matched to today's parties by name.
    """
    current = {party.name: party.organization_id for party in agreement.parties.all()}
    return [PacketParty(party.get("organization_id", current.get(party.get("name", ""))), party.get("name", ""))
            for party in version.parties]


def _directory_section(packet: AgreementPacket, parties: list[PacketParty]) -> dict:
    from partners.routing import lines_for_documents
    from partners.selectors import directory

    ids = [p.organization_id for p in parties if p.organization_id]
    entries = directory(workgroup=packet.workgroup, include_inactive=True, organization_ids=ids) if ids else []
    listed = {entry.organization_id for entry in entries}
    missing = [xml_safe(p.name) for p in parties if p.organization_id not in listed]
    lines = lines_for_documents(workgroup=packet.workgroup, organization_ids=ids)  # the routing directory's
    return {"entries": entries, "not_on_map": missing, "lines": lines}


def _raci_lines(packet: AgreementPacket, parties: list[PacketParty]):
    from partners.selectors import raci_for_organizations

    ids = [p.organization_id for p in parties if p.organization_id]
    return raci_for_organizations(workgroup=packet.workgroup, organization_ids=ids)


def _raci_section(lines, parties: list[PacketParty]) -> dict:
    columns = [(p.organization_id, xml_safe(p.name)) for p in parties if p.organization_id]
    rows = [{"name": line.name, "description": line.description,
             "letters": [line.letters.get(org_id, "") for org_id, _ in columns], "problems": line.problems}
            for line in lines]
    return {"columns": [name for _, name in columns], "rows": rows}


def decision_points(matrix, raci_lines, parties: list[PacketParty], criteria=()) -> list[DecisionPoint]:
    """Each matrix row with the party that leads it (A for its route's function) and those that support it (R)."""
    names = {p.organization_id: xml_safe(p.name) for p in parties if p.organization_id}
    by_key = {line.key: line for line in raci_lines}
    points = []
    for row in matrix:
        facts = tuple(f"{label}: {answer}" for label, answer in zip(criteria, row.answers, strict=False)
                      if answer != "—")
        function_key = ROUTE_FUNCTIONS.get(row.route)
        line = by_key.get(function_key) if function_key else None
        if line is None:
            note = ("No route yet." if not row.route
                    else "Outside the protocol: handled as its usual call type." if row.route == "out_of_scope"
                    else "No interoperability function of the partner map covers this route.")
            points.append(DecisionPoint(row, "", "", note, facts))
            continue
        lead = [names[org] for org, letter in line.letters.items() if letter == "A" and org in names]
        supporting = [names[org] for org, letter in line.letters.items() if letter == "R" and org in names]
        note = "" if lead else f"No party is accountable (A) for “{line.name}” in the partner map's RACI matrix."
        points.append(DecisionPoint(row, "; ".join(sorted(lead)), "; ".join(sorted(supporting)), note, facts))
    return points


def _protocol_section(packet: AgreementPacket, parties: list[PacketParty], raci_lines) -> dict:
    from toolkit.pdf import svg_data_uri
    from triage.selectors import protocol_diagram_svg, protocol_exhibit

    version = packet.agreement.protocol_version
    if version is None:
        raise ValidationError("The agreement no longer names a triage protocol version; choose one, or leave the "
                              "protocol exhibit out.")
    exhibit = protocol_exhibit(version=version)
    diagram = svg_data_uri(protocol_diagram_svg(exhibit=exhibit))
    points = decision_points(exhibit.matrix, raci_lines, parties, exhibit.criteria)
    return {"exhibit": exhibit, "diagram": diagram, "points": points,
            "unled": sum(1 for point in points if not point.lead)}


def _data_sharing_section(packet: AgreementPacket, rendered) -> dict:
    keys = set(Clause.objects.filter(workgroup=packet.workgroup, category=DATA_SHARING_CATEGORY)
               .values_list("key", flat=True))
    clauses = [clause for clause in rendered.clauses if clause.key in keys]
    labels = dict(packet.agreement.template.variables.filter(name__in=DATA_SHARING_VARIABLES)
                  .values_list("name", "label"))
    figures = [(xml_safe(labels[name]), rendered.variables.get(xml_safe(labels[name]), ""))
               for name in DATA_SHARING_VARIABLES if name in labels]
    part2 = [xml_safe(party.get("name", "")) for party in packet.version.parties if party.get("substance_use")]
    return {"clauses": clauses, "figures": figures, "part2": part2}


def _comments_section(packet: AgreementPacket, rendered) -> dict:
    titles = {clause.key: f"{clause.number}. {clause.title}" for clause in rendered.clauses}
    comments = (comments_open_on(agreement_id=packet.version.agreement_id, version_number=packet.version.number)
                .select_related("author", "version").order_by("created_at", "pk"))

    def author(comment: ReviewComment) -> str:
        if comment.author is None:
            return "A former member"
        return xml_safe(comment.author.get_full_name() or comment.author.email)

    return {"comments": [{"clause": titles.get(c.clause_key, c.clause_key), "author": author(c),
                          "created_at": c.created_at, "raised_on": c.version.number, "quote": xml_safe(c.quote),
                          "body": xml_safe(c.body)} for c in comments]}


# --- The whole packet ---------------------------------------------------------------------------------


Progress = Callable[[int, str], None]


def packet_context(packet: AgreementPacket, progress: Progress | None = None) -> dict:
    """Everything the packet template needs, gathered section by section (``progress(percent, note)``)."""
    progress = progress or (lambda percent, note: None)
    agreement, version = packet.agreement, packet.version
    available = {choice.value for choice in available_sections(agreement, version)}
    if gone := [section for section in packet.sections if section not in available]:
        labels = dict(PacketSection.choices)
        raise ValidationError(
            f"Version {version.number} can no longer have: {'; '.join(labels[s] for s in gone)} (the agreement "
            "was approved, or no longer names a triage protocol, since the packet was asked for). Ask for a new "
            "packet without it.")
    chosen = list(packet.sections)
    steps: list[tuple[str, str, Callable[[], dict]]] = []
    rendered = render_version(version)
    parties = _parties(agreement, version)
    raci_lines = functools.cache(lambda: _raci_lines(packet, parties))  # two exhibits use them: read once
    exhibit_titles = {
        PacketSection.DIRECTORY: "Contact directory of the parties",
        PacketSection.RACI: "Roles and responsibilities",
        PacketSection.PROTOCOL: "Triage protocol",
        PacketSection.DATA_SHARING: "Data-sharing terms",
    }
    builders = {
        PacketSection.DIRECTORY: lambda: _directory_section(packet, parties),
        PacketSection.RACI: lambda: _raci_section(raci_lines(), parties),
        PacketSection.PROTOCOL: lambda: _protocol_section(packet, parties, raci_lines()),
        PacketSection.DATA_SHARING: lambda: _data_sharing_section(packet, rendered),
    }
    letter = iter("ABCDEFGH")
    for key in chosen:
        if key in builders:
            steps.append((key, f"Exhibit {next(letter)}: {exhibit_titles[key]}", builders[key]))
    if PacketSection.COMMENTS in chosen:
        steps.append((PacketSection.COMMENTS, "Appendix: Open review comments",
                      lambda: _comments_section(packet, rendered)))

    # The agreement itself first (in a ZIP it is the Word file beside this PDF), the signature pages last.
    first = [] if packet.as_zip else [Section("agreement", "The agreement", "agreement")]
    total = len(steps) + len(first) + 1
    if first:
        progress(5, f"Section 1 of {total}: the agreement")
    sections = list(first)
    for index, (key, title, build) in enumerate(steps, start=len(first) + 1):
        progress(5 + 60 * (index - 1) // total, f"Section {index} of {total}: {title}")
        try:
            data = build()
        except ValidationError:
            raise
        except ValueError as exc:  # a chart or diagram that could not be drawn (toolkit.pdf.ChartError)
            raise ValidationError(f"The section “{title}” could not be built: {exc}") from exc
        sections.append(Section(key, title, f"section-{key}", data))
    progress(5 + 60 * (total - 1) // total, f"Section {total} of {total}: signature pages")
    signatures = Section("signatures", "Signature pages", "signatures")
    sections.append(signatures)
    status = paper_status(agreement, version)
    requested = timezone.localtime(packet.created_at)
    return {
        "packet": packet,
        "agreement": rendered,
        "status": status,
        "sections": sections,
        "by_key": {section.key: section for section in sections},
        "requested": requested,
        "created_iso": packet.created_at.replace(microsecond=0).isoformat(),
        "subject": f"{rendered.kind_label} — version {rendered.version_number} — {status.label}",
        "exhibits_only": packet.as_zip,
    }


def _stem(packet: AgreementPacket) -> str:
    return f"{slugify(packet.version.title)[:60] or 'agreement'}-v{packet.version.number}"


def packet_filename(packet: AgreementPacket) -> str:
    return f"{_stem(packet)}-packet.{'zip' if packet.as_zip else 'pdf'}"


def _write_zip(packet: AgreementPacket, rendered, pdf: bytes, output) -> None:
    """The agreement as Word and the exhibits and signature pages as PDF; fixed dates, so the same bytes again."""
    from agreements.exports import agreement_docx, write_reproducible_zip

    write_reproducible_zip(output, ((f"{_stem(packet)}.docx", agreement_docx(rendered)),
                                    (f"{_stem(packet)}-exhibits-and-signatures.pdf", pdf)))


def run_agreement_packet(*, job, set_progress, output) -> str:
    """The job kind's runner: build the packet of ``job.params["packet_id"]`` into ``output``."""
    from toolkit.pdf import ACCESSIBLE, render_pdf_document

    packet = (AgreementPacket.objects.select_related("agreement__template", "agreement__protocol_version",
                                                     "agreement__approved_by", "version", "workgroup")
              .filter(pk=job.params.get("packet_id"), workgroup=job.workgroup).first())
    if packet is None:
        raise ValidationError("This packet was deleted before it could be built.")
    if packet.job_id != job.pk:
        # services.packet_retry links each new build. Retry on the jobs page makes a job that is a retry of the
        # packet's current one: it takes the packet over. Any other job (a retry of an older build) is not its.
        adopted = job.retry_of_id is not None and AgreementPacket.objects.filter(
            pk=packet.pk, job_id=job.retry_of_id).update(job=job)
        if not adopted:
            raise ValidationError("A newer build of this packet replaced this one; retry it from the packet's page.")
    context = packet_context(packet, progress=lambda percent, note: set_progress(percent, note))
    set_progress(70, "Laying out the pages")
    document = render_pdf_document("agreements/pdf/packet.html", context)
    pages = len(document.pages)
    set_progress(90, f"Writing the PDF ({pages} pages)" + (" and the Word file" if packet.as_zip else ""))
    if packet.as_zip:
        _write_zip(packet, context["agreement"], document.write_pdf(**ACCESSIBLE), output)
    else:
        document.write_pdf(target=output, **ACCESSIBLE)
    size = output.tell()
    output.seek(0)
    digest = hashlib.sha256()
    while chunk := output.read(1024 * 1024):
        digest.update(chunk)
    output.seek(size)
    AgreementPacket.objects.filter(pk=packet.pk, job=job).update(page_count=pages, size_bytes=size,
                                                                  sha256=digest.hexdigest())
    if PacketSection.DIRECTORY in packet.sections:
        # Written once the file exists: the person who asked has exported the parties' contact list.
        record_access(actor=job.requested_by, obj=packet, action=AuditAction.EXPORTED,
                      detail="Agreement packet with the parties' contact directory")
    return packet_filename(packet)


def _packet_with_directory(job) -> str:
    sections = AgreementPacket.objects.filter(job=job).values_list("sections", flat=True).first() or []
    return "Agreement packet with the parties' contact directory" if PacketSection.DIRECTORY in sections else ""


jobs.register(jobs.JobKind(kind=KIND, label="Agreement packet (PDF)", action=Action.EXPORT_AGREEMENTS,
                           run=run_agreement_packet, queue=PDF_QUEUE, confidential=_packet_with_directory))
