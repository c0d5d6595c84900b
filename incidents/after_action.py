"""The after-action review of a significant incident: the report, its improvement plan, and its PDF.

The report holds three texts the reviewers write (a summary, what went well, what to improve); the
improvement plan is the incident's corrective actions, read from the review, never copied. The PDF is a
background job (queue "pdf") for QA reviewers and coordinators. It names no reporter and carries no
partner system reference (CAD incident number, 988 contact id) and no narrative: it is written to be
shared with the partners who own the actions. A confidential or privileged incident's mark prints on
every page, and each rendering writes an "exported" row to the audit trail.

Which incidents deserve one is the reviewers' call; ``looks_significant`` only names the usual signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from incidents.models import (
    AfterActionReport,
    Category,
    Confidentiality,
    CorrectiveAction,
    Harm,
    Incident,
    IncidentClass,
)
from incidents.taxonomy import factor_label
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.history import save_validated
from toolkit.models import AuditAction, Job
from toolkit.pdf import render_pdf
from toolkit.permissions import Action, require
from toolkit.services import job_create
from toolkit.text import xml_safe

if TYPE_CHECKING:
    from toolkit.models import User

KIND = "incident_after_action"
PLAN_SHOWN = 50  # actions on the page; an incident has a handful, the cap only guards the page
PLAN_IN_PDF = 200  # the PDF lists more, and says so if some are left out
RECENT_PDFS = 5
SERIOUS_HARM = (Harm.MODERATE, Harm.SEVERE, Harm.DEATH)

PRIVILEGED_MARK = ("Quality-improvement privileged — peer-review and patient safety work product; "
                   "do not copy or disclose outside the review")
CONFIDENTIAL_MARK = "Confidential — for QA reviewers and coordinators of the workgroup only"

MSG_SUMMARY_REQUIRED = "Write the summary first: in a few sentences, what happened and what the review concluded."
MSG_NO_REPORT_YET = "Write and save the after-action report first; the PDF is built from it."
MSG_INCIDENT_GONE = "This incident is not in this workgroup any more (or was deleted), so no report was built."


# --- Reads -------------------------------------------------------------------------------------------


def after_action_report(*, incident: Incident) -> AfterActionReport | None:
    return AfterActionReport.objects.filter(incident_id=incident.pk).select_related("updated_by").first()


def improvement_plan(*, incident: Incident) -> QuerySet[CorrectiveAction]:
    """The incident's corrective actions with what the plan shows of each, soonest due first."""
    return (CorrectiveAction.objects.filter(incident_id=incident.pk, workgroup_id=incident.workgroup_id)
            .select_related("root_cause", "owner_organization", "assignee").order_by("due_date", "pk"))


@dataclass(frozen=True)
class Plan:
    actions: list[CorrectiveAction]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.actions)


def improvement_plan_page(*, incident: Incident, limit: int | None = None) -> Plan:
    """At most ``limit`` actions (one query), and the total only when there are more (a second one)."""
    limit = limit or PLAN_SHOWN
    actions = list(improvement_plan(incident=incident)[:limit + 1])
    if len(actions) <= limit:
        return Plan(actions, len(actions))
    return Plan(actions[:limit], improvement_plan(incident=incident).count())


def significance_signs(incident: Incident) -> list[str]:
    """The usual signs that an incident deserves an after-action review (empty: none of them)."""
    signs = []
    if incident.agreed_harm in SERIOUS_HARM:
        signs.append(f"reviewers agreed {incident.get_agreed_harm_display().lower()}")
    if incident.category == Category.SENTINEL_EVENT:
        signs.append("it is a sentinel event")
    if incident.category == Category.FAILED_TRANSFER and incident.incident_class == IncidentClass.HARM:
        signs.append("a transfer failed and someone was harmed")
    return signs


def after_action_pdf_jobs(*, incident: Incident) -> list[Job]:
    """The last few PDFs built of this incident's report (one query)."""
    return list(Job.objects.filter(workgroup_id=incident.workgroup_id, kind=KIND, params__incident_id=incident.pk)
                .order_by("-created_at", "-pk")[:RECENT_PDFS])


def mark_of(incident: Incident) -> str:
    if incident.confidentiality == Confidentiality.PRIVILEGED:
        return PRIVILEGED_MARK
    if incident.confidentiality == Confidentiality.CONFIDENTIAL:
        return CONFIDENTIAL_MARK
    return ""


# --- Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def after_action_save(*, actor: User, incident: Incident, summary: str, strengths: str = "",
                      areas_for_improvement: str = "") -> AfterActionReport:
    """Create the incident's after-action report or change it; every change is in its history and the audit."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    # The incident's row lock serialises two first saves, which would otherwise both create a report.
    locked = Incident.objects.select_for_update().select_related("workgroup").get(pk=incident.pk)
    summary, strengths, areas = summary.strip(), strengths.strip(), areas_for_improvement.strip()
    if not summary:
        raise ValidationError({"summary": MSG_SUMMARY_REQUIRED})
    report = AfterActionReport.objects.filter(incident=locked).first() or AfterActionReport(
        incident=locked, workgroup=locked.workgroup)
    if report.pk and (report.summary, report.strengths, report.areas_for_improvement) == (summary, strengths, areas):
        return report  # nothing changed: no new version in the history
    report.summary, report.strengths, report.areas_for_improvement = summary, strengths, areas
    report.updated_by = actor
    return save_validated(report, actor)


def after_action_pdf_start(*, actor: User, incident: Incident) -> Job:
    """Build the report's PDF in the background; the job page follows it."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    if not AfterActionReport.objects.filter(incident_id=incident.pk).exists():
        raise ValidationError(MSG_NO_REPORT_YET)
    return job_create(actor=actor, workgroup=incident.workgroup, kind=KIND, params={"incident_id": incident.pk})


# --- The PDF -----------------------------------------------------------------------------------------


def _incident_of(job: Job) -> Incident:
    """The incident named by the job, read through the job's own workgroup: another workgroup's id is refused."""
    try:
        incident = (Incident.objects.filter(workgroup_id=job.workgroup_id, pk=int(job.params.get("incident_id")))
                    .select_related("workgroup", "protocol_version__protocol").first())
    except (TypeError, ValueError):
        incident = None
    if incident is None:
        raise ValidationError(MSG_INCIDENT_GONE)
    return incident


def _text(value: str) -> str:
    return xml_safe(value or "")


def after_action_context(*, incident: Incident, requested_by: User | None) -> dict:
    """Everything the PDF shows. No reporter, no narrative, no partner system reference."""
    report = after_action_report(incident=incident)
    if report is None:
        raise ValidationError(MSG_NO_REPORT_YET)
    actions = list(improvement_plan(incident=incident)[:PLAN_IN_PDF + 1])
    plan = [{
        "description": _text(action.description),
        "root_cause": _text(action.root_cause.description),
        "owner": _text(action.owner_organization.name) if action.owner_organization else "",
        "due": action.due_date,
        "status": action.get_status_display(),
        "overdue": action.is_overdue,
        "effectiveness": action.get_effectiveness_display(),
        "effectiveness_note": _text(action.effectiveness_note),
    } for action in actions[:PLAN_IN_PDF]]
    factors = [{"label": _text(factor_label(factor.code)), "note": _text(factor.note)}
               for factor in incident.contributing_factors.order_by("code")]
    return {
        "workgroup": incident.workgroup,
        "incident": incident,
        "title": f"After-action report: {incident.reference}",
        "organizations": [_text(name) for name in incident.organizations.order_by("name").values_list("name",
                                                                                                      flat=True)],
        "findings": _text(incident.findings),
        "factors": factors,
        "summary": _text(report.summary),
        "strengths": _text(report.strengths),
        "areas_for_improvement": _text(report.areas_for_improvement),
        "report_updated_at": report.updated_at,
        "plan": plan,
        "plan_left_out": len(actions) > PLAN_IN_PDF,
        "mark": mark_of(incident),
        "significance": significance_signs(incident),
        "generated_at": timezone.now(),
        "requested_by": requested_by,
    }


def run_after_action_pdf(*, job: Job, set_progress, output) -> str:
    incident = _incident_of(job)
    set_progress(20, "Reading the report and its improvement plan")
    context = after_action_context(incident=incident, requested_by=job.requested_by)
    set_progress(50, "Laying out the PDF")
    render_pdf("incidents/pdf/after_action.html", context, target=output)
    if incident.is_marked:
        # Written once the file exists: the person who asked has exported the marked incident.
        record_access(actor=job.requested_by, obj=incident, action=AuditAction.EXPORTED,
                      detail="After-action report PDF")
    return f"{slugify(incident.reference) or 'incident'}-after-action-report.pdf"


def _marked_report(job: Job) -> str:
    marked = Incident.objects.filter(pk=job.params.get("incident_id"), workgroup=job.workgroup_id).exclude(
        confidentiality=Confidentiality.NORMAL).values_list("reference", flat=True).first()
    return f"After-action report PDF of marked incident {marked}" if marked else ""


jobs.register(jobs.JobKind(kind=KIND, label="After-action report (PDF)", action=Action.REVIEW_INCIDENTS,
                           run=run_after_action_pdf, queue="pdf", confidential=_marked_report))
