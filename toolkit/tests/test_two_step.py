"""Two-step sign-in: setting it up, signing in with a code or a recovery code, and workgroups requiring it."""

from __future__ import annotations

import html
import time

import pytest
from axes.utils import reset
from django.contrib.auth import SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolkit.services import mfa
from toolkit.tests.factories import TEST_PASSWORD
from toolkit.tests.test_accounts import _fresh_axes  # noqa: F401  (autouse: no failed attempts carried over)
from toolkit.views.accounts import PENDING_KEY

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-step/setup/"
VERIFY_URL = "/accounts/two-step/verify/"


def _code(device: TOTPDevice, *, later: int = 30) -> str:
    """A code the app would show. A code already used is refused (no replays), so by default the next one,
    which the device accepts as within its one-step tolerance."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def _turn_on(user) -> tuple[TOTPDevice, list[str]]:
    mfa.two_step_start(user=user)
    device = mfa.app_device(user, confirmed=False)
    return mfa.two_step_confirm(user=user, code=_code(device, later=0))


def sign_in_with_code(client, user):
    """Signed in through both steps, as a person would be (two-step sign-in turned on first if need be)."""
    device = mfa.app_device(user) or _turn_on(user)[0]
    client.force_login(user)
    client.post(VERIFY_URL, {"code": _code(device)})
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _password_step(client, user, **extra):
    return client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD, **extra})


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- Setting it up ------------------------------------------------------------------------------


def test_setting_up_shows_a_key_and_turns_on_with_a_code_from_the_app(client, member):
    client.force_login(member)
    assert client.post(SETUP_URL, {"start": "1"}).status_code == 302

    page = client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code
    key = page.context["key"].replace(" ", "")
    assert len(key) == 32 and key.isalnum()

    response = client.post(SETUP_URL, {"code": _code(device)})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert response["Cache-Control"] == "no-store"
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=member).count() == 10
    overview = client.get("/accounts/two-step/")
    assert overview.context["is_on"] and overview.context["verified"]


def test_a_wrong_code_at_set_up_is_refused_and_nothing_is_turned_on(client, member):
    client.force_login(member)
    client.post(SETUP_URL, {"start": "1"})

    response = client.post(SETUP_URL, {"code": "000000"})

    assert response.status_code == 400
    assert mfa.MSG_WRONG_CODE in _text(response)
    assert 'value="000000"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=member).exists()


def test_moving_to_a_new_app_keeps_the_old_one_until_the_new_one_is_confirmed(client, member):
    old, _ = _turn_on(member)
    new = mfa.two_step_start(user=member)
    assert mfa.app_device(member) == old  # not yet replaced

    mfa.two_step_confirm(user=member, code=_code(new, later=0))

    assert list(TOTPDevice.objects.filter(user=member)) == [new]


def test_changing_two_step_sign_in_needs_a_session_that_passed_it(client, member):
    _turn_on(member)
    client.force_login(member)  # signed in without the second step (an older session)

    response = client.post("/accounts/two-step/recovery-codes/")

    assert response.status_code == 302 and response["Location"].startswith(VERIFY_URL)
    assert StaticToken.objects.filter(device__user=member).count() == 10


# --- Signing in -------------------------------------------------------------------------------------


def test_the_right_password_alone_does_not_sign_in_someone_with_two_step_on(client, workgroup, member):
    device, _ = _turn_on(member)

    response = _password_step(client, member)

    assert response.status_code == 302 and response["Location"] == VERIFY_URL
    assert not _signed_in(client)
    assert client.get("/w/riverbend/")["Location"].startswith("/accounts/login/")

    response = client.post(VERIFY_URL, {"code": _code(device)})

    assert response.status_code == 302
    assert _signed_in(client)
    assert client.get("/w/riverbend/").status_code == 200


def test_a_wrong_code_keeps_the_person_out_and_says_why(client, workgroup, member):
    _turn_on(member)
    _password_step(client, member)

    response = client.post(VERIFY_URL, {"code": "123 456"})

    assert response.status_code == 400
    assert mfa.MSG_WRONG_CODE in _text(response)
    assert not _signed_in(client)


def test_a_code_used_once_is_refused_the_second_time(client, workgroup, member):
    device, _ = _turn_on(member)
    code = _code(device)
    _password_step(client, member)
    client.post(VERIFY_URL, {"code": code})
    client.post("/accounts/logout/")
    device.refresh_from_db()
    device.throttle_reset()

    _password_step(client, member)
    response = client.post(VERIFY_URL, {"code": code})

    assert response.status_code == 400 and not _signed_in(client)


def test_a_code_right_after_a_wrong_one_waits_for_the_throttle(client, workgroup, member):
    device, _ = _turn_on(member)
    _password_step(client, member)
    client.post(VERIFY_URL, {"code": "000000"})

    response = client.post(VERIFY_URL, {"code": _code(device)})

    assert response.status_code == 400
    assert "Too many wrong codes. Wait" in _text(response)
    assert not _signed_in(client)


def test_five_wrong_codes_send_the_person_back_to_the_password(client, workgroup, member, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # count the tries, not the waits
    _turn_on(member)
    _password_step(client, member)
    for _ in range(settings.MFA_PENDING_ATTEMPTS - 1):
        assert client.post(VERIFY_URL, {"code": "000000"}).status_code == 400

    response = client.post(VERIFY_URL, {"code": "000000"}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "too many wrong codes" in _text(response)
    assert PENDING_KEY not in client.session
    assert client.get(VERIFY_URL)["Location"] == "/accounts/login/"


def test_the_code_step_ends_after_a_few_minutes(client, workgroup, member):
    device, _ = _turn_on(member)
    _password_step(client, member)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "since": int(time.time()) - 3600}
    session.save()

    response = client.post(VERIFY_URL, {"code": _code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "not entered in time" in _text(response)
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once_however_it_is_typed(client, workgroup, member):
    _, codes = _turn_on(member)
    _password_step(client, member)

    response = client.post(VERIFY_URL, {"code": f" {codes[0].upper()} "})

    assert response.status_code == 302 and _signed_in(client)
    assert StaticToken.objects.filter(device__user=member).count() == 9
    client.post("/accounts/logout/")
    reset()
    _password_step(client, member)
    again = client.post(VERIFY_URL, {"code": codes[0]})
    assert again.status_code == 400 and not _signed_in(client)


def test_new_recovery_codes_replace_the_old_ones(client, member):
    _, old_codes = _turn_on(member)

    new_codes = mfa.recovery_codes_replace(user=member)

    stored = set(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new_codes}
    assert not stored & {code.replace("-", "") for code in old_codes}


def test_the_second_step_does_not_follow_a_next_address_to_another_site(client, workgroup, member):
    device, _ = _turn_on(member)
    client.post("/accounts/login/?next=https://evil.example/", {"username": member.email, "password": TEST_PASSWORD,
                                                                 "next": "https://evil.example/"})

    response = client.post(VERIFY_URL, {"code": _code(device)})

    assert response.status_code == 302 and "evil.example" not in response["Location"]


# --- Turning it off --------------------------------------------------------------------------------


def test_turning_off_takes_the_password(client, member):
    device, _ = _turn_on(member)
    client.post("/accounts/login/", {"username": member.email, "password": TEST_PASSWORD})
    client.post(VERIFY_URL, {"code": _code(device)})

    wrong = client.post("/accounts/two-step/turn-off/", {"password": "not-it"})
    assert wrong.status_code == 400 and mfa.MSG_WRONG_PASSWORD in _text(wrong)
    assert TOTPDevice.objects.filter(user=member).exists()

    right = client.post("/accounts/two-step/turn-off/", {"password": TEST_PASSWORD})
    assert right.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()


def test_turning_off_is_refused_while_a_workgroup_requires_it(workgroup, qa_reviewer):
    _turn_on(qa_reviewer)
    workgroup.mfa_required = True
    workgroup.save()

    with pytest.raises(mfa.ValidationError) as refused:
        mfa.two_step_turn_off(user=qa_reviewer, password=TEST_PASSWORD)

    assert workgroup.name in refused.value.messages[0]
    assert TOTPDevice.objects.filter(user=qa_reviewer, confirmed=True).exists()


def test_anonymising_an_account_forgets_its_authenticator_secret_and_codes(workgroup, member):
    from toolkit.services import user_anonymise
    from toolkit.tests.factories import UserFactory

    _turn_on(member)

    user_anonymise(actor=UserFactory(is_staff=True), user=member, force=True)

    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()


def test_staff_reset_a_persons_two_step_sign_in_without_ever_seeing_its_secret(client, member):
    from toolkit.tests.factories import UserFactory

    device, codes = _turn_on(member)
    sign_in_with_code(client, UserFactory(is_staff=True, is_superuser=True))

    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert "/config/" not in page and "qrcode" not in page  # django-otp's own admin links to the secret's QR code
    assert codes[0].replace("-", "") not in client.get("/admin/otp_static/staticdevice/").content.decode()

    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert not mfa.has_two_step(member)


def test_staff_open_the_admin_only_after_two_step_sign_in(client):
    from toolkit.tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)  # the password alone

    refused = client.get("/admin/", follow=True)

    assert refused.redirect_chain[0][0].startswith("/admin/login/")
    assert refused.redirect_chain[-1][0].startswith("/accounts/two-step/setup/")
    assert "only after two-step sign-in" in _text(refused)
    sign_in_with_code(client, staff)
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_is_the_apps_own(client):
    response = client.get("/admin/login/?next=/admin/toolkit/user/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Ftoolkit%2Fuser%2F"
