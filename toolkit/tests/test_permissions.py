"""Who may do what: the role table, the core writes with real data, the guarded-URL walk, restrict().

Every URL × every role × other workgroups is walked by test_url_matrix.py."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from toolkit.models import Invitation, Job, JobStatus, Membership, Role
from toolkit.permissions import Action, role_allows
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tests.factories import InvitationFactory

RIVERBEND_NAME = "Riverbend County Workgroup"
ELSEWHERE_NAME = "Elsewhere Secret Workgroup"
ROLES = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]

# Written out by hand on purpose: a change to ROLE_ACTIONS must fail here until this table agrees.
EXPECTED_ACTIONS = {
    Role.COORDINATOR: {
        "workgroup.view", "workgroup.edit", "workgroup.archive", "members.manage", "audit.view", "jobs.run",
        "partners.edit", "readiness.edit", "readiness.manage", "agreements.edit", "agreements.comment",
        "agreements.review",
        "agreements.export", "triage.edit", "triage.approve", "incidents.report", "incidents.review",
        "incidents.export", "transfers.record", "transfers.export", "api.manage",
    },
    Role.MEMBER: {
        "workgroup.view", "jobs.run", "partners.edit", "readiness.edit", "agreements.comment",
        "triage.edit", "incidents.report", "transfers.record",
    },
    Role.LEGAL_REVIEWER: {
        "workgroup.view", "jobs.run", "agreements.comment", "agreements.review", "agreements.export",
        "incidents.report",
    },
    Role.QA_REVIEWER: {
        "workgroup.view", "jobs.run", "incidents.report", "incidents.review", "incidents.export",
        "transfers.record", "transfers.export",
    },
    Role.VIEWER: {"workgroup.view"},
}

COORDINATORS = frozenset({Role.COORDINATOR})
JOB_RUNNERS = frozenset({Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER})

# write -> (path below /w/<slug>/, POST data, roles allowed to do it)
WRITES = {
    "invite": ("members/invite/", {"email": "new@x.test", "role": Role.MEMBER}, COORDINATORS),
    "change role": ("members/{membership}/role/", {"role": Role.MEMBER}, COORDINATORS),
    "remove member": ("members/{membership}/remove/", {}, COORDINATORS),
    "revoke invitation": ("invitations/{invitation}/revoke/", {}, COORDINATORS),
    "start summary job": ("jobs/start/workgroup_summary_pdf/", {}, JOB_RUNNERS),
}



def _succeeded_job(workgroup, user) -> Job:
    job = Job.objects.create(
        workgroup=workgroup, kind=WORKGROUP_SUMMARY, status=JobStatus.SUCCEEDED, progress=100,
        requested_by=user, finished_at=timezone.now(),
    )
    job.result.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    return job


@pytest.fixture
def ids(people, workgroup, other_workgroup):
    """Rows each workgroup's URLs point at: a finished job, a membership, an open invitation."""
    result = {}
    for wg, owner, target in (
        (workgroup, people[Role.COORDINATOR], people[Role.VIEWER]),
        (other_workgroup, people["outsider"], people["outsider"]),
    ):
        result[wg.slug] = {
            "job": _succeeded_job(wg, owner).pk,
            "membership": Membership.objects.get(workgroup=wg, user=target).pk,
            "invitation": InvitationFactory(workgroup=wg, invited_by=owner).pk,
        }
    return result


def _url(ids, path: str, slug: str = "riverbend") -> str:
    return f"/w/{slug}/" + path.format(**ids[slug])


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def _state() -> tuple:
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "workgroup_id", "role")),
        list(Invitation.objects.order_by("pk").values_list("pk", "email", "role", "revoked_at", "accepted_at")),
        list(Job.objects.order_by("pk").values_list("pk", "status")),
    )


# --- The matrix itself --------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES)
def test_role_allows_exactly_the_actions_in_the_written_table(role, action):
    assert role_allows(role, action) is (action.value in EXPECTED_ACTIONS[role])


def test_the_table_names_every_action_there_is():
    assert {a.value for a in Action} == EXPECTED_ACTIONS[Role.COORDINATOR]


def test_an_unknown_role_is_allowed_nothing():
    assert not any(role_allows("superhero", action) for action in Action)


# --- Pages (who gets which status on every URL is test_url_matrix's job) ----------------------


def test_a_refused_member_is_told_why_and_sees_nothing_of_another_workgroup(client, people, ids):
    client.force_login(people[Role.VIEWER])
    response = client.get(_url(ids, "settings/"))
    assert response.status_code == 403
    assert "You cannot do this here" in _body(response)
    assert ELSEWHERE_NAME not in _body(response)


def test_the_job_download_hands_over_the_file(client, people, ids):
    client.force_login(people[Role.VIEWER])
    response = client.get(_url(ids, "jobs/{job}/download/"))
    assert response.status_code == 200
    assert _body(response) == "%PDF-1.7 test"
    assert "attachment" in response["Content-Disposition"]


# --- Writes -------------------------------------------------------------------

ALLOWED_WRITES = [(w, r) for w, (_, _, allowed) in WRITES.items() for r in ROLES if r in allowed]
REFUSED_WRITES = [(w, r) for w, (_, _, allowed) in WRITES.items() for r in ROLES if r not in allowed]


@pytest.mark.parametrize(("write", "role"), ALLOWED_WRITES)
def test_a_role_with_the_right_changes_the_workgroup(
    client, people, ids, django_capture_on_commit_callbacks, mailoutbox, write, role
):
    path, data, _ = WRITES[write]
    client.force_login(people[role])
    before = _state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url(ids, path), data)
    assert response.status_code == 302
    assert _state() != before
    if write == "invite":
        assert len(mailoutbox) == 1
    if write == "start summary job":
        assert len(callbacks) == 1  # the job is queued once the row is committed


@pytest.mark.parametrize(("write", "role"), REFUSED_WRITES)
def test_a_role_without_the_right_is_refused_and_nothing_changes(
    client, people, ids, django_capture_on_commit_callbacks, mailoutbox, write, role
):
    path, data, _ = WRITES[write]
    client.force_login(people[role])
    before = _state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url(ids, path), data)
    assert response.status_code == 403
    assert _state() == before
    assert callbacks == []
    assert mailoutbox == []
    assert ELSEWHERE_NAME not in _body(response)


@pytest.mark.parametrize("write", WRITES)
def test_the_outsider_cannot_write_and_nothing_changes(
    client, people, ids, django_capture_on_commit_callbacks, mailoutbox, write
):
    path, data, _ = WRITES[write]
    client.force_login(people["outsider"])
    before = _state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url(ids, path), data)
    assert response.status_code == 404
    assert _state() == before
    assert callbacks == []
    assert mailoutbox == []
    assert RIVERBEND_NAME not in _body(response)


@pytest.mark.parametrize("write", WRITES)
def test_anonymous_writes_are_sent_to_sign_in_and_nothing_changes(client, ids, write):
    path, data, _ = WRITES[write]
    before = _state()
    response = client.post(_url(ids, path), data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")
    assert _state() == before


# --- Every workgroup URL goes through the permission layer ---------------------

# Routes with a slug that are public on purpose (published guidance, not workgroup data).
PUBLIC_SLUG_ROUTES = {"guidance/<slug:slug>/"}


def _routes(patterns, prefix: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route, entry.callback


def test_every_workgroup_url_is_guarded_by_the_permission_layer():
    slug_routes = {
        route: callback
        for route, callback in _routes(get_resolver().url_patterns)
        if "<slug:slug>" in route and route not in PUBLIC_SLUG_ROUTES
    }
    # The walk must really reach the core pages and the included feature apps.
    core = {"w/<slug:slug>/", "w/<slug:slug>/jobs/<int:job_id>/download/", "w/<slug:slug>/incidents/"}
    assert core <= set(slug_routes)
    assert len(slug_routes) >= 16
    # Workgroup pages need a role; one-time-link pages (no account) need a valid signed token instead.
    unguarded = sorted(
        route for route, callback in slug_routes.items()
        if not hasattr(callback, "required_action" if route.startswith("w/") else "token_guarded")
    )
    assert unguarded == []
    assert any(route.startswith("respond/<slug:slug>/") for route in slug_routes)


# --- The one scoped read and the membership read once ---------------------------------


def test_restrict_returns_this_workgroups_rows_only_when_the_role_allows_the_action(
    workgroup, other_workgroup, people
):
    from toolkit.models import Job
    from toolkit.permissions import get_membership

    ours = _succeeded_job(workgroup, people[Role.COORDINATOR])
    _succeeded_job(other_workgroup, people["outsider"])
    member = get_membership(people[Role.MEMBER], workgroup)
    viewer = get_membership(people[Role.VIEWER], workgroup)

    assert list(Job.objects.restrict(member, Action.RUN_JOBS)) == [ours]
    assert list(Job.objects.restrict(viewer, Action.RUN_JOBS)) == []
    assert list(Job.objects.restrict(None, Action.VIEW_WORKGROUP)) == []


def test_restrict_refuses_changes_in_an_archived_workgroup_but_keeps_reading(workgroup, people):
    from toolkit import services
    from toolkit.models import Job
    from toolkit.permissions import get_membership

    job = _succeeded_job(workgroup, people[Role.COORDINATOR])
    services.workgroup_archive(actor=people[Role.COORDINATOR], workgroup=workgroup)
    membership = get_membership(people[Role.COORDINATOR], workgroup)

    assert list(Job.objects.restrict(membership, Action.VIEW_WORKGROUP)) == [job]
    assert list(Job.objects.restrict(membership, Action.RUN_JOBS)) == []


def test_a_page_reads_the_membership_once_however_often_it_asks(client, workgroup, people):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people[Role.COORDINATOR])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/w/{workgroup.slug}/members/")  # asks can() and {% can_do %} several times

    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries
             if re.search(r'FROM "toolkit_membership".*WHERE.*"toolkit_membership"\."user_id" = ', q["sql"], re.S)]
    assert len(reads) == 1


def test_outside_a_request_every_question_reads_the_current_role(workgroup, people):
    """Services called from tasks and commands must see a role change made a moment ago."""
    from toolkit.permissions import can

    member = people[Role.MEMBER]
    assert can(member, workgroup, Action.EDIT_PARTNERS)
    Membership.objects.filter(user=member, workgroup=workgroup).update(role=Role.VIEWER)

    assert not can(member, workgroup, Action.EDIT_PARTNERS)
