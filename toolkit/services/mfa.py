"""Two-step sign-in: an authenticator app's six-digit codes (TOTP) and one-time recovery codes.

django-otp keeps the devices: one ``TOTPDevice`` (the app) and one ``StaticDevice`` (the recovery
codes, each usable once) per person. A wrong code slows the next try on that device down (1 s, 2 s,
4 s …), whichever sign-in attempt it came from, so guessing is hopeless even for someone who has the
password. A workgroup can require two-step sign-in of the roles that hold its most sensitive data
(``MFA_ROLES``); ``toolkit.permissions.workgroup_view`` enforces it.

Account security events are not workgroup records, so they go to the ``toolkit.security`` log rather
than a workgroup's audit trail; turning the requirement on or off is a workgroup change and is audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolkit.models import Membership
from toolkit.permissions import MFA_ROLES, Action, require

if TYPE_CHECKING:
    from django_otp.models import Device

    from toolkit.models import User, Workgroup

log = logging.getLogger("toolkit.security")

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

MSG_WRONG_CODE = ("That code is not right. Enter the six digits your authenticator app shows now, or one of "
                  "your recovery codes.")
MSG_WAIT = "Too many wrong codes. Wait {seconds} seconds, then enter the newest code."
MSG_NO_SETUP = "Start setting up two-step sign-in again: that set-up has ended."
MSG_WRONG_PASSWORD = "That is not your password."  # noqa: S105  (a message, not a secret)
MSG_STILL_REQUIRED = ("{workgroups} requires two-step sign-in for your role, so it cannot be turned off. "
                      "You can replace your authenticator app instead.")
MSG_SET_UP_FIRST = ("Turn on two-step sign-in for your own account first (Two-step sign-in, in your account menu), "
                    "so that requiring it does not lock you out.")


def normalise_code(raw: str) -> str:
    """People type codes with spaces or dashes, as they are shown; recovery codes in any case."""
    return "".join(ch for ch in (raw or "") if ch.isalnum()).lower()


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def app_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_two_step(user: User) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def workgroups_requiring(user: User) -> list[Workgroup]:
    """The workgroups where this person's role must use two-step sign-in."""
    return [
        membership.workgroup
        for membership in Membership.objects.select_related("workgroup").filter(
            user=user, role__in=MFA_ROLES, workgroup__mfa_required=True
        ).order_by("workgroup__name")
    ]


# --- Setting up -------------------------------------------------------------------------------


@transaction.atomic
def two_step_start(*, user: User) -> TOTPDevice:
    """A new secret for the app, unconfirmed until a code from it comes back. Replaces an unfinished one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [format_recovery_code(code) for code in codes]


def two_step_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """The app proved it has the secret: it becomes the person's one app, with fresh recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise ValidationError(MSG_NO_SETUP, code="no_setup")
        refusal = _check(device, code)
        if refusal is None:
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
    if refusal is not None:  # raised after the block, so the wrong try still counts
        raise refusal
    log.info("two-step sign-in turned on", extra={"user_id": user.pk})
    return device, codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New codes; every earlier one stops working."""
    if not has_two_step(user):
        raise ValidationError("Turn on two-step sign-in first.", code="not_on")
    codes = _new_recovery_codes(user)
    log.info("recovery codes replaced", extra={"user_id": user.pk})
    return codes


@transaction.atomic
def two_step_turn_off(*, user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationError({"password": MSG_WRONG_PASSWORD}, code="wrong_password")
    requiring = workgroups_requiring(user)
    if requiring:
        names = ", ".join(workgroup.name for workgroup in requiring)
        raise ValidationError(MSG_STILL_REQUIRED.format(workgroups=names), code="required")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("two-step sign-in turned off", extra={"user_id": user.pk})


# --- Signing in ---------------------------------------------------------------------------------


def _check(device: Device, code: str) -> ValidationError | None:
    """Why the code is refused, or None. A refusal is returned, not raised, so that the caller's
    transaction keeps the device's count of wrong tries."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return ValidationError(MSG_WAIT.format(seconds=_seconds_until(details)), code="throttled")
    if not device.verify_token(normalise_code(code)):
        return ValidationError(MSG_WRONG_CODE, code="wrong_code")
    return None


def _seconds_until(details: dict | None) -> int:
    locked_until = (details or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def two_step_verify(*, user: User, code: str) -> Device:
    """The device a code belongs to (the app's six digits, or a recovery code, used up), or ValidationError.

    Each device is locked while it checks, so two requests cannot both spend one recovery code, and each
    wrong code counts against the device it was meant for.
    """
    normalised = normalise_code(code)
    is_app_code = normalised.isdigit() and len(normalised) == 6
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        refusal = ValidationError(MSG_WRONG_CODE, code="wrong_code") if device is None else _check(device, normalised)
    if refusal is not None:
        raise refusal
    if not is_app_code:
        log.info("recovery code used", extra={"user_id": user.pk})
    return device


# --- The workgroup's requirement ----------------------------------------------------------------


@transaction.atomic
def workgroup_require_two_step(*, actor: User, workgroup: Workgroup, required: bool, actor_verified: bool) -> Workgroup:
    """Coordinators decide; one who has not passed two-step sign-in themselves cannot turn it on."""
    require(actor, workgroup, Action.EDIT_WORKGROUP)
    if required and not actor_verified:
        raise ValidationError(MSG_SET_UP_FIRST, code="set_up_first")
    if workgroup.mfa_required == required:
        return workgroup
    workgroup.mfa_required = required
    workgroup._history_user = actor
    workgroup.save(update_fields=["mfa_required"])
    return workgroup
