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

# run(job=..., set_progress=...) -> (filename, file bytes)
Runner = Callable[..., tuple[str, bytes]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    action: Action
    run: Runner


_KINDS: dict[str, JobKind] = {}


def register(job_kind: JobKind) -> None:
    if job_kind.kind in _KINDS and _KINDS[job_kind.kind] != job_kind:
        raise ValueError(f"Job kind {job_kind.kind!r} is already registered.")
    _KINDS[job_kind.kind] = job_kind


def get_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def label_for(job: Job) -> str:
    job_kind = _KINDS.get(job.kind)
    return job_kind.label if job_kind else job.kind
