from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from toolkit import jobs, selectors, services
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job, JobStatus
from toolkit.pagination import paginate
from toolkit.permissions import Action, get_object_for_user, require_view, workgroup_view

JOB_PAGE_SIZE = 25


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def job_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.job_list(membership=request.membership), per_page=JOB_PAGE_SIZE)
    return render(request, "toolkit/job_list.html", {"page": page})


@workgroup_view(Action.VIEW_WORKGROUP)
@require_POST
def job_start(request: HttpRequest, job_kind: str) -> HttpResponse:
    """Start any registered kind of job; the service checks the permission that kind needs."""
    kind = jobs.get_kind(job_kind)
    if kind is None:
        raise Http404("No such kind of job.")
    require_view(request.user, request.workgroup, kind.action)
    job = services.job_create(actor=request.user, workgroup=request.workgroup, kind=job_kind)
    messages.info(request, f"You asked for: {jobs.label_for(job)}. Its status below follows the background job.")
    return redirect(job)


def _get_job(request: HttpRequest, job_id: int) -> Job:
    """Find the job in this workgroup, then check what its kind requires to be seen."""
    job = get_object_for_user(
        request.user, request.workgroup, Job.objects.select_related("requested_by", "workgroup"), job_id,
        Action.VIEW_WORKGROUP,
    )
    require_view(request.user, request.workgroup, jobs.view_action_for(job.kind))
    return job


@workgroup_view(Action.VIEW_WORKGROUP)
@vary_on_headers("HX-Request")  # the same URL answers with a page or a partial
@require_safe
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job(request, job_id)
    template = "toolkit/_job_status.html" if request.htmx else "toolkit/job_detail.html"
    return render(request, template, {"job": job, "job_label": jobs.label_for(job)})


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job(request, job_id)
    response = job_file_response(job)
    if contents := jobs.confidential_contents(job):
        record_access(actor=request.user, obj=job, action=AuditAction.DOWNLOADED, detail=contents)
    return response


def job_file_response(job: Job | None) -> FileResponse:
    """A finished job's file, streamed from storage (the caller has checked who may have it); 404 otherwise."""
    if job is None or job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404("There is no file to download yet.")
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer available; build it again.") from None
    return FileResponse(handle, as_attachment=True, filename=job.filename)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job(request, job_id)
    kind = jobs.get_kind(job.kind)
    if kind is None:
        raise Http404("No such kind of job.")
    require_view(request.user, request.workgroup, kind.action)
    try:
        retry = services.job_retry(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(job)
    messages.info(request, f"Started again as job #{retry.pk}.")
    return redirect(retry)
