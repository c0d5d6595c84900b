"""The workgroup summary PDF: the demo background job that proves the whole path.

``workgroup_summary_context`` gathers data (a read), ``render_pdf`` writes it into
the file object the job gives it, and the job runner ties them to a Job row.
"""

from __future__ import annotations

from django.utils import timezone

from toolkit import jobs, selectors
from toolkit.dashboard import cards_for
from toolkit.models import Job, Membership, Role
from toolkit.pdf import render_pdf
from toolkit.permissions import Action

WORKGROUP_SUMMARY = "workgroup_summary_pdf"


def workgroup_summary_context(*, job: Job) -> dict:
    workgroup = job.workgroup
    # Anyone in the workgroup may download the summary, so it shows what a viewer may see.
    viewer = Membership(workgroup=workgroup, user=job.requested_by, role=Role.VIEWER)
    counts = selectors.role_counts(workgroup=workgroup)
    return {
        "workgroup": workgroup,
        "generated_at": timezone.now(),
        "requested_by": job.requested_by,
        "cards": cards_for(workgroup=workgroup, membership=viewer),
        "role_counts": [(label, counts[value]) for value, label in Role.choices],
        "members": selectors.membership_list(workgroup=workgroup),
    }


def run_workgroup_summary(*, job: Job, set_progress, output) -> str:
    context = workgroup_summary_context(job=job)
    set_progress(30)
    render_pdf("toolkit/pdf/workgroup_summary.html", context, target=output)
    set_progress(90)
    return f"{job.workgroup.slug}-summary.pdf"


jobs.register(
    jobs.JobKind(
        kind=WORKGROUP_SUMMARY,
        label="Workgroup summary (PDF)",
        action=Action.RUN_JOBS,
        run=run_workgroup_summary,
        view_action=Action.VIEW_WORKGROUP,  # a summary anyone in the workgroup may read
    )
)
