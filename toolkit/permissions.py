"""The one place that decides who may do what.

Every view, form queryset, download and task asks this module. Roles are per
workgroup; an action is allowed when the person's role in *that* workgroup grants it.

* Not a member of the workgroup (or not signed in): 404 — we do not even confirm
  that the workgroup exists.
* A member whose role lacks the action: 403.
* An archived workgroup is read-only: only the actions in ``READ_ONLY_ACTIONS`` remain.

Reads go through one path: ``Model.objects.restrict(membership, action)`` returns the rows of
the membership's workgroup when its role allows the action, and nothing otherwise (NetBox's
``restrict(user, action)`` is the model). The membership is read once per request by
``workgroup_view``; ``can``, ``require``, ``get_object_for_user`` and ``{% can_do %}`` reuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control

from toolkit.models import Membership, Role, Workgroup

if TYPE_CHECKING:
    from toolkit.models import User


class Action(StrEnum):
    # Core (toolkit)
    VIEW_WORKGROUP = "workgroup.view"
    EDIT_WORKGROUP = "workgroup.edit"
    MANAGE_MEMBERS = "members.manage"
    VIEW_AUDIT = "audit.view"
    RUN_JOBS = "jobs.run"
    # Feature apps (their views arrive with their issues; the matrix is decided here, once).
    EDIT_PARTNERS = "partners.edit"
    EDIT_READINESS = "readiness.edit"  # update action items the workgroup owns
    MANAGE_READINESS = "readiness.manage"  # instruments, rounds, respondents, individual answers, accepting gaps
    EDIT_AGREEMENTS = "agreements.edit"
    COMMENT_AGREEMENTS = "agreements.comment"
    REVIEW_AGREEMENTS = "agreements.review"
    EXPORT_AGREEMENTS = "agreements.export"
    EDIT_TRIAGE = "triage.edit"
    APPROVE_TRIAGE = "triage.approve"
    ARCHIVE_WORKGROUP = "workgroup.archive"  # archive and restore (the only change an archived workgroup takes)
    REPORT_INCIDENTS = "incidents.report"
    REVIEW_INCIDENTS = "incidents.review"
    EXPORT_INCIDENTS = "incidents.export"
    RECORD_TRANSFERS = "transfers.record"  # enter, import and follow up transfer records
    EXPORT_TRANSFERS = "transfers.export"  # the post-response data-sharing report
    MANAGE_API = "api.manage"  # create and revoke the workgroup's API tokens


_EVERYONE = {Action.VIEW_WORKGROUP}
_CONTRIBUTOR = _EVERYONE | {
    Action.RUN_JOBS,
    Action.EDIT_PARTNERS,
    Action.EDIT_READINESS,
    Action.COMMENT_AGREEMENTS,  # members read and comment on agreements; coordinators draft them
    Action.EDIT_TRIAGE,
    Action.REPORT_INCIDENTS,
    Action.RECORD_TRANSFERS,
}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(Action),
    Role.MEMBER: frozenset(_CONTRIBUTOR),
    Role.LEGAL_REVIEWER: frozenset(
        _EVERYONE
        | {
            Action.RUN_JOBS,
            Action.COMMENT_AGREEMENTS,
            Action.REVIEW_AGREEMENTS,
            Action.EXPORT_AGREEMENTS,
            Action.REPORT_INCIDENTS,
        }
    ),
    Role.QA_REVIEWER: frozenset(
        _EVERYONE | {Action.RUN_JOBS, Action.REPORT_INCIDENTS, Action.REVIEW_INCIDENTS, Action.EXPORT_INCIDENTS,
                     Action.RECORD_TRANSFERS, Action.EXPORT_TRANSFERS}
    ),
    Role.VIEWER: frozenset(_EVERYONE),
}


# What an archived workgroup still allows: reading, exporting what was agreed, and restoring it.
READ_ONLY_ACTIONS = frozenset(
    {Action.VIEW_WORKGROUP, Action.VIEW_AUDIT, Action.EXPORT_AGREEMENTS, Action.EXPORT_INCIDENTS,
     Action.EXPORT_TRANSFERS, Action.ARCHIVE_WORKGROUP}
)


# Roles that must pass two-step sign-in where their workgroup requires it: they hold legal drafts,
# privileged incident reviews and the workgroup's settings.
MFA_ROLES = frozenset({Role.COORDINATOR, Role.LEGAL_REVIEWER, Role.QA_REVIEWER})


def membership_requires_two_step(membership: Membership) -> bool:
    return membership.workgroup.mfa_required and membership.role in MFA_ROLES


def passed_two_step(user: User) -> bool:
    """django-otp's OTPMiddleware marks a session that passed the second step."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def two_step_needed(request: HttpRequest) -> HttpResponse:
    """Off to the second step (or to set it up), then back to the page asked for."""
    from django.urls import reverse
    from django.utils.http import urlencode
    from django_htmx.http import HttpResponseClientRedirect

    path = request.get_full_path() if request.method == "GET" and not request.htmx else request.META.get(
        "HTTP_REFERER", "")
    target = f"{reverse('two-step-verify')}?{urlencode({'next': path})}" if path else reverse("two-step-verify")
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def role_allows(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())


def membership_allows(membership: Membership | None, action: Action) -> bool:
    """The whole rule: a member, whose role grants the action, in a workgroup that takes it (not archived)."""
    if membership is None or not role_allows(membership.role, action):
        return False
    return action in READ_ONLY_ACTIONS or membership.workgroup.archived_at is None


# --- The membership a request resolved, reused instead of read again -----------------
#
# ``workgroup_view`` reads the person's membership once (with its workgroup) and leaves it on
# the request's user object, which lives exactly as long as the request. Services called from
# the view with ``actor=request.user`` then ask ``can``/``require`` without another query.
# Outside a request (tasks, commands, tests) nothing is cached and every question reads the row.

_CACHE_ATTR = "_toolkit_resolved_memberships"


def remember_membership(user: User, membership: Membership) -> None:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    cache[membership.workgroup_id] = membership


def forget_memberships(user: User) -> None:
    """After a service changes someone's role or removes them, their cached answer is stale."""
    if getattr(user, _CACHE_ATTR, None):
        setattr(user, _CACHE_ATTR, {})


def get_membership(user: User, workgroup: Workgroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    cached = (getattr(user, _CACHE_ATTR, None) or {}).get(workgroup.pk)
    if cached is not None:
        return cached
    return Membership.objects.select_related("workgroup").filter(user=user, workgroup=workgroup).first()


def can(user: User, workgroup: Workgroup, action: Action) -> bool:
    return membership_allows(get_membership(user, workgroup), action)


def get_workgroup_for_user(user: User, slug: str, action: Action) -> tuple[Workgroup, Membership]:
    """Resolve a workgroup by slug for this user, or raise 404 (not a member) / 403 (role)."""
    membership = (
        Membership.objects.select_related("workgroup").filter(user=user, workgroup__slug=slug).first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such workgroup.")
    remember_membership(user, membership)
    if not membership_allows(membership, action):
        raise PermissionDenied(_refusal(membership, action))
    return membership.workgroup, membership


def _refusal(membership: Membership, action: Action) -> str:
    if role_allows(membership.role, action) and membership.workgroup.archived_at is not None:
        return "This workgroup is archived: it can be read but not changed. A coordinator can restore it."
    return "Your role in this workgroup does not allow this."


def restrict(queryset: models.QuerySet, membership: Membership | None, action: Action) -> models.QuerySet:
    """The one scoped read: ``queryset``'s rows in the membership's workgroup, or none if the action is not allowed.

    Models reach it as ``Model.objects.restrict(membership, action)`` (``toolkit.models.ScopedQuerySet``).
    """
    if not membership_allows(membership, action):
        return queryset.none()
    return queryset.filter(**{_workgroup_lookup(queryset.model): membership.workgroup_id})


def _workgroup_lookup(model: type[models.Model]) -> str:
    # Rows without their own workgroup column name the path to it (``workgroup_lookup = "round__workgroup_id"``).
    return getattr(model, "workgroup_lookup", "workgroup_id")


def get_object_for_user(
    user: User, workgroup: Workgroup, queryset: models.QuerySet, pk: Any, action: Action
) -> models.Model:
    """Fetch a workgroup-owned row by pk. Rows of other workgroups are simply not found."""
    membership = get_membership(user, workgroup)
    if not membership_allows(membership, action):
        if membership is None:
            raise Http404("No such workgroup.")
        raise PermissionDenied(_refusal(membership, action))
    try:
        return restrict(queryset, membership, action).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def require(user: User, workgroup: Workgroup, action: Action) -> None:
    """For services and tasks: raise PermissionDenied unless the user may act now."""
    membership = get_membership(user, workgroup)
    if not membership_allows(membership, action):
        raise PermissionDenied(
            _refusal(membership, action) if membership else "You are not a member of this workgroup."
        )


def require_view(user: User, workgroup: Workgroup, action: Action) -> None:
    """For views, after the workgroup is resolved: 403 when the role lacks a further action."""
    membership = get_membership(user, workgroup)
    if not membership_allows(membership, action):
        raise PermissionDenied(_refusal(membership, action) if membership else "Not allowed.")


def workgroup_view(action: Action) -> Callable:
    """Decorate a view taking ``slug``: sets ``request.workgroup`` and ``request.membership``.

    Anonymous people are sent to the login page; everyone else gets 404 or 403 as above.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workgroup, membership = get_workgroup_for_user(request.user, slug, action)
            if membership_requires_two_step(membership) and not passed_two_step(request.user):
                response = two_step_needed(request)
                patch_cache_control(response, private=True, no_store=True)
                return response
            request.workgroup = workgroup
            request.membership = membership
            response = view(request, *args, **kwargs)
            # Workgroup pages and files must not linger in shared or browser caches.
            patch_cache_control(response, private=True, no_store=True)
            return response

        wrapper.required_action = action  # lets tests check that every workgroup URL is guarded
        return wrapper

    return decorator


# Refusals of a link that never was valid (or was replaced) read as "not found"; links that were
# valid but are used up, expired or closed read as "gone".
_LINK_NOT_FOUND = {"invalid", "replaced"}


def token_view(resolve: Callable[..., Any], *, refused_template: str) -> Callable:
    """Decorate a view reached by a signed one-time link instead of an account.

    ``resolve(token=..., slug=...)`` returns the one object the link opens (e.g. a readiness
    respondent) or raises ValidationError saying why not; the view gets it as ``request.link_subject``
    and can reach nothing else. Refusals render ``refused_template`` with the message (404 or 410).
    Responses are never cached or indexed: the address itself is the credential.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, link_token: str | None = None,
                    token: str | None = None, **kwargs: Any) -> HttpResponse:
            token = link_token if link_token is not None else token
            try:
                request.link_subject = resolve(token=token, slug=slug)
            except ValidationError as exc:
                status = 404 if exc.code in _LINK_NOT_FOUND else 410
                # A refusal may name who to ask for a new link (``params={"contact": {"name", "email"}}``).
                contact = (exc.params or {}).get("contact") if hasattr(exc, "params") else None
                response = render(request, refused_template, {"message": " ".join(exc.messages), "contact": contact},
                                  status=status)
            else:
                response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
            response["X-Robots-Tag"] = "noindex, nofollow"
            return response

        wrapper.token_guarded = True  # lets tests check that every link URL is guarded
        return wrapper

    return decorator
