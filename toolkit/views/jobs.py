from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from toolkit import jobs, selectors, services
from toolkit.models import Job, JobStatus
from toolkit.permissions import Action, get_object_for_user, require_view, workgroup_view


@workgroup_view(Action.VIEW_WORKGROUP)
def job_list(request: HttpRequest) -> HttpResponse:
    job_rows = selectors.job_list(workgroup=request.workgroup, role=request.membership.role)[:50]
    return render(request, "toolkit/job_list.html", {"jobs": job_rows})


@workgroup_view(Action.VIEW_WORKGROUP)
@require_POST
def job_start(request: HttpRequest, kind: str) -> HttpResponse:
    """Start any registered kind of job; the service checks the permission that kind needs."""
    job_kind = jobs.get_kind(kind)
    if job_kind is None:
        raise Http404("No such kind of job.")
    require_view(request.user, request.workgroup, job_kind.action)
    job = services.job_create(actor=request.user, workgroup=request.workgroup, kind=kind)
    messages.info(request, f"{jobs.label_for(job)} is being built in the background; this page updates by itself.")
    return redirect(job)


def _get_job(request: HttpRequest, pk: int) -> Job:
    """Find the job in this workgroup, then check what its kind requires to be seen."""
    job = get_object_for_user(request.user, request.workgroup, Job.objects, pk, Action.VIEW_WORKGROUP)
    require_view(request.user, request.workgroup, jobs.view_action_for(job.kind))
    return job


@workgroup_view(Action.VIEW_WORKGROUP)
@vary_on_headers("HX-Request")  # the same URL answers with a page or a partial
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    template = "toolkit/_job_status.html" if request.htmx else "toolkit/job_detail.html"
    return render(request, template, {"job": job, "job_label": jobs.label_for(job)})


@workgroup_view(Action.VIEW_WORKGROUP)
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    if job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404("This job has no file to download.")
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this job is no longer available; run the job again.") from None
    return FileResponse(handle, as_attachment=True, filename=job.result.name.rsplit("/", 1)[-1])
