"""Registry of background-job kinds.

A kind ties a name to the permission it needs and to a runner that produces a file.
Feature apps register their kinds (agreement packets, readiness reports) from their
AppConfig.ready(); the generic Job row, task, status page and download serve them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.models import Job
    from toolkit.permissions import Action

# run(job=..., set_progress=..., output=<binary file object>) -> filename. The runner writes its file into
# ``output`` (WeasyPrint: ``write_pdf(target=output)``); the core copies it to storage in chunks.
# ``set_progress(percent, note="")``: the note says in words what the runner is doing now.
Runner = Callable[..., str]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    action: Action  # needed to start the job (checked again when it runs)
    run: Runner
    view_action: Action | None = None  # needed to see its status and download it; None: same as action
    # The Celery queue its messages go to; "" is the default queue. Long renders (agreement packets) go to
    # "pdf", served by workers started with `-Q pdf --prefetch-multiplier=1`, so they never hold up short jobs.
    queue: str = ""
    # For files that hold confidential data (readiness answers, contact lists, marked incidents): what the
    # job's file holds, "" when this one holds nothing confidential. Each download is then an audit row
    # (toolkit.audit.record_access), besides the row the runner writes when it builds the file.
    confidential: Callable[[Job], str] | None = None


_KINDS: dict[str, JobKind] = {}


def register(job_kind: JobKind) -> None:
    if job_kind.kind in _KINDS and _KINDS[job_kind.kind] != job_kind:
        raise ValueError(f"Job kind {job_kind.kind!r} is already registered.")
    _KINDS[job_kind.kind] = job_kind


def get_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def confidential_contents(job: Job) -> str:
    """What a job's file holds that each download should be recorded for ("" for nothing)."""
    kind = _KINDS.get(job.kind)
    return kind.confidential(job) if kind is not None and kind.confidential is not None else ""


def view_action_for(kind: str) -> Action:
    """What it takes to see a job's status and file. Unknown kinds: coordinators only."""
    from toolkit.permissions import Action

    job_kind = _KINDS.get(kind)
    if job_kind is None:
        return Action.MANAGE_MEMBERS
    return job_kind.view_action or job_kind.action


def kinds_viewable_by_role(role: str) -> list[str]:
    from toolkit.permissions import role_allows

    return [kind for kind in _KINDS if role_allows(role, view_action_for(kind))]


def label_for(job: Job) -> str:
    job_kind = _KINDS.get(job.kind)
    return job_kind.label if job_kind else job.kind
