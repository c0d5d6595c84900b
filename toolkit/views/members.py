from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from toolkit import selectors, services
from toolkit.forms import AcceptInvitationForm, InvitationForm, MembershipRoleForm, add_service_errors, form_data
from toolkit.models import Invitation, Membership
from toolkit.pagination import paginate
from toolkit.permissions import MFA_ROLES, Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import render_form_page

MEMBERS_PAGE_SIZE = 50


def _invitation_form(request: HttpRequest, data=None) -> InvitationForm:
    # The form lives on the members page but posts to its own URL, which sends the invitation.
    return InvitationForm(data, form_action=reverse("toolkit:invitation-create", args=[request.workgroup.slug]))


def _members_page(request: HttpRequest, invite_form: InvitationForm | None = None) -> HttpResponse:
    workgroup = request.workgroup
    manage = can(request.user, workgroup, Action.MANAGE_MEMBERS)
    context = {
        "page": paginate(request, selectors.membership_list(workgroup=workgroup), per_page=MEMBERS_PAGE_SIZE),
        "invitations": selectors.invitation_list_open(workgroup=workgroup)[:MEMBERS_PAGE_SIZE] if manage else [],
        "invite_form": invite_form or (_invitation_form(request) if manage else None),
        "role_form": MembershipRoleForm(),
        "can_manage": manage,
        "mfa_roles": MFA_ROLES,
    }
    return render_form_page(request, "toolkit/members.html", context, form=invite_form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def member_list(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


@workgroup_view(Action.MANAGE_MEMBERS)
@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = _invitation_form(request, request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                workgroup=request.workgroup,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works for "
                             f"{settings.INVITATION_MAX_AGE.days} days.")
            return redirect("toolkit:members", slug=request.workgroup.slug)
    return _members_page(request, invite_form=form)


@workgroup_view(Action.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_for_user(
        request.user, request.workgroup, Invitation.objects, invitation_id, Action.MANAGE_MEMBERS
    )
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return redirect("toolkit:members", slug=request.workgroup.slug)


@workgroup_view(Action.MANAGE_MEMBERS)
@require_POST
def membership_change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_for_user(
        request.user, request.workgroup, Membership.objects.select_related("user", "workgroup"), membership_id,
        Action.MANAGE_MEMBERS,
    )
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
    else:
        try:
            services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("toolkit:members", slug=request.workgroup.slug)


@workgroup_view(Action.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_for_user(
        request.user, request.workgroup, Membership.objects.select_related("user", "workgroup"), membership_id,
        Action.MANAGE_MEMBERS,
    )
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user} was removed from the workgroup.")
            if membership.user_id == request.user.pk:  # they just left: the members page is closed to them now
                return redirect("toolkit:home")
        return redirect("toolkit:members", slug=request.workgroup.slug)
    return render(request, "toolkit/membership_confirm_remove.html", {"membership": membership})


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """Public on purpose: the signed token is the credential. Refusals say why, plainly."""
    token = invitation_token
    try:
        invitation = services.invitation_resolve(token=token)
    except ValidationError as exc:
        return render(request, "toolkit/invitation_invalid.html", {"error": exc.messages[0]}, status=400)

    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except ValidationError as exc:
                return render(request, "toolkit/invitation_invalid.html", {"error": exc.messages[0]}, status=400)
            messages.success(request, f"Welcome to {membership.workgroup.name}.")
            return redirect(membership.workgroup)
    elif not has_account:
        form = AcceptInvitationForm(form_data(request), email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                membership = services.invitation_accept_with_new_account(
                    token=token,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                form.add_error("password1" if getattr(exc, "code", None) is None else None, exc)
            else:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Your account is ready. Welcome to {membership.workgroup.name}.")
                return redirect(membership.workgroup)
    context = {"invitation": invitation, "form": form, "has_account": has_account}
    return render(request, "toolkit/invitation_accept.html", context)
