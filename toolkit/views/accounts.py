"""Signing in (password, then a code when two-step sign-in is on), setting up two-step sign-in, keep-alive.

After a right password, someone with two-step sign-in is *not* signed in yet: the session only holds who
they are about to be, for a few minutes and a few tries. ``django.contrib.auth.login`` runs once the code
is right, so no page of the app ever sees a half-signed-in person.
"""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from toolkit.auth import MSG_ADDRESS_LIMITED, address_is_limited, cool_off_seconds
from toolkit.forms import TwoStepCodeForm, TwoStepTurnOffForm, add_service_errors, form_data
from toolkit.permissions import passed_two_step
from toolkit.services import mfa
from toolkit.views.shortcuts import render_form_page

PENDING_KEY = "two_step_pending"
LOW_ON_RECOVERY_CODES = 2
MSG_PENDING_EXPIRED = "Sign in again: the code was not entered in time."
MSG_TOO_MANY_CODES = "Sign in again: that was too many wrong codes."
MSG_STAFF_NEED_TWO_STEP = "The administration pages open only after two-step sign-in."
MSG_NEEDED = ("{workgroup} asks coordinators, legal reviewers and QA reviewers to sign in with a code from an "
              "authenticator app as well as a password. Set it up now to carry on.")


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default


class SignInView(LoginView):
    """Django's sign-in, with the per-address limit in front and the second step behind."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if address_is_limited(request):
            # Not even checked: a spray must learn nothing, not even that a password was right.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, refusal=MSG_ADDRESS_LIMITED.format(
                minutes=cool_off_seconds() // 60 or 1))
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not mfa.has_two_step(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk, "backend": user.backend, "since": int(time.time()), "tries": 0,
            "next": self.get_success_url(),
        }
        return redirect("two-step-verify")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the same door as everyone (two-step sign-in, the per-address limit), and
    staff must have passed two-step sign-in this session: the admin deletes workgroups and accounts."""
    next_url = _safe_next(request, request.GET.get("next"), reverse("admin:index"))
    if admin_has_permission(request):
        return redirect(next_url)
    if request.user.is_authenticated and request.user.is_staff:
        messages.info(request, MSG_STAFF_NEED_TWO_STEP)
        return redirect(f"{reverse('two-step-verify')}?{urlencode({'next': next_url})}")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def admin_has_permission(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and passed_two_step(user)


def _pending_user(request: HttpRequest):
    """Who passed the password step in this session, if they still may enter a code."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None, None
    if time.time() - pending["since"] > settings.MFA_PENDING_SECONDS:
        del request.session[PENDING_KEY]
        messages.error(request, MSG_PENDING_EXPIRED)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The second step: at sign-in (after the password), or later when a workgroup asks for it."""
    if request.user.is_authenticated:
        user, pending = request.user, None
        next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"), reverse("toolkit:home"))
        if passed_two_step(user):
            return redirect(next_url)
        if not mfa.has_two_step(user):
            requiring = mfa.workgroups_requiring(user)
            if requiring:
                messages.info(request, MSG_NEEDED.format(workgroup=requiring[0].name))
            return redirect(f"{reverse('two-step-setup')}?{urlencode({'next': next_url})}")
    else:
        user, pending = _pending_user(request)
        if user is None:
            return redirect("login")
        next_url = _safe_next(request, pending.get("next"), reverse("toolkit:home"))
    form = TwoStepCodeForm(form_data(request), submit_label="Continue")
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.two_step_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            if pending is not None:
                pending["tries"] += 1
                request.session.modified = True
                if pending["tries"] >= settings.MFA_PENDING_ATTEMPTS:
                    del request.session[PENDING_KEY]
                    messages.error(request, MSG_TOO_MANY_CODES)
                    return redirect("login")
        else:
            if pending is not None:
                del request.session[PENDING_KEY]
                user.otp_device = device  # django-otp's user_logged_in receiver keeps it in the session
                auth_login(request, user, backend=pending["backend"])
            else:
                request.session.cycle_key()
                otp_login(request, device)
            left = mfa.remaining_recovery_codes(user)
            if left <= LOW_ON_RECOVERY_CODES:
                messages.warning(request, f"You have {left} recovery code{'s' if left != 1 else ''} left. "
                                          "Make new ones under Two-step sign-in in your account menu.")
            return redirect(next_url)
    return render_form_page(request, "registration/two_step_verify.html",
                            {"form": form, "next": next_url, "signing_in": pending is not None}, form=form)


def _needs_step_up(request: HttpRequest) -> HttpResponse | None:
    """Changing two-step sign-in that is on takes a session that passed it."""
    if mfa.has_two_step(request.user) and not passed_two_step(request.user):
        return redirect(f"{reverse('two-step-verify')}?{urlencode({'next': request.get_full_path()})}")
    return None


@login_required
@require_http_methods(["GET"])
def two_step_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "registration/two_step.html", {
        "is_on": mfa.has_two_step(user),
        "verified": passed_two_step(user),
        "recovery_codes_left": mfa.remaining_recovery_codes(user),
        "requiring": mfa.workgroups_requiring(user),
    })


def _qr_svg(device) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, title="QR code: scan it with your authenticator app")
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))  # noqa: S308  (segno's own markup)


def _spaced_key(device) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_step_setup(request: HttpRequest) -> HttpResponse:
    """Start (a new secret), scan, confirm with a code; then the recovery codes, shown once."""
    if (step_up := _needs_step_up(request)) is not None:
        return step_up
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    if request.method == "POST" and "start" in request.POST:
        mfa.two_step_start(user=request.user)
        return redirect(f"{reverse('two-step-setup')}?{urlencode({'next': next_url})}" if next_url
                        else "two-step-setup")
    device = mfa.app_device(request.user, confirmed=False)
    form = TwoStepCodeForm(form_data(request) if device else None, submit_label="Turn on", app_only=True)
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            confirmed, codes = mfa.two_step_confirm(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session.cycle_key()
            otp_login(request, confirmed)
            messages.success(request, "Two-step sign-in is on.")
            return _show_codes(request, codes, next_url=next_url)
    return render_form_page(request, "registration/two_step_setup.html", {
        "form": form, "device": device, "next": next_url, "replacing": mfa.has_two_step(request.user),
        "qr": _qr_svg(device) if device else "", "key": _spaced_key(device) if device else "",
    }, form=form)


def _show_codes(request: HttpRequest, codes: list[str], *, next_url: str = "") -> HttpResponse:
    response = render(request, "registration/two_step_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_codes_replace(request: HttpRequest) -> HttpResponse:
    if (step_up := _needs_step_up(request)) is not None:
        return step_up
    try:
        codes = mfa.recovery_codes_replace(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two-step")
    messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    return _show_codes(request, codes)


@login_required
@require_http_methods(["GET", "POST"])
def two_step_turn_off(request: HttpRequest) -> HttpResponse:
    if (step_up := _needs_step_up(request)) is not None:
        return step_up
    if not mfa.has_two_step(request.user):
        return redirect("two-step")
    form = TwoStepTurnOffForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            mfa.two_step_turn_off(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Two-step sign-in is off. Sign-in now takes your password only.")
            return redirect("two-step")
    return render_form_page(request, "registration/two_step_turn_off.html",
                            {"form": form, "requiring": mfa.workgroups_requiring(request.user)}, form=form)


@require_POST
def session_end(request: HttpRequest) -> HttpResponse:
    """The page's countdown ran out: end the session now (the server would a moment later) and say why."""
    from toolkit.sessions import end_session

    end_session(request)
    next_url = _safe_next(request, request.POST.get("next"), "")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}" if next_url else "login")


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The page says the person is still there (typing, clicking); the idle clock restarts."""
    from toolkit.sessions import LAST_ACTIVITY_KEY

    request.session[LAST_ACTIVITY_KEY] = int(time.time())
    return HttpResponse(status=204)
