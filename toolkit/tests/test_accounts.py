"""Signing in and out, passwords, the admin, and the demo seed command."""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from axes.utils import reset
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command

from toolkit.models import Membership, Role, User, Workgroup
from toolkit.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "lantern-orchard-1127-river"
LOCKED_OUT = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    """Failed attempts must not leak from one test into the next."""
    reset()
    yield
    reset()


def _sign_in(client, email: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password}, **extra)


def _signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Signing in -------------------------------------------------------------------


def test_signing_in_lands_on_the_only_workgroup_dashboard(client, workgroup, member):
    response = _sign_in(client, member.email, TEST_PASSWORD, follow=True)

    assert response.redirect_chain[0] == ("/", 302)
    assert response.redirect_chain[-1] == ("/w/riverbend/", 302)
    assert response.status_code == 200
    assert _signed_in_user_id(client) == str(member.pk)


def test_signing_in_with_several_workgroups_offers_a_choice(client, workgroup, other_workgroup, member):
    Membership.objects.create(user=member, workgroup=other_workgroup, role=Role.VIEWER)

    response = _sign_in(client, member.email, TEST_PASSWORD, follow=True)

    assert response.redirect_chain == [("/", 302)]
    content = html.unescape(response.content.decode())
    assert workgroup.name in content
    assert other_workgroup.name in content


def test_signing_in_ignores_the_capitalisation_of_the_e_mail(client, workgroup, member):
    # Addresses are stored in lower case; phones capitalise the first letter people type.
    response = _sign_in(client, member.email.capitalize(), TEST_PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(member.pk)


def test_a_wrong_password_shows_an_error_and_keeps_the_e_mail(client, member):
    response = _sign_in(client, member.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Please enter a correct e-mail address and password" in html.unescape(response.content.decode())
    assert f'value="{member.email}"' in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_five_failures_lock_the_account_even_for_the_right_password(client, member):
    for _ in range(5):
        _sign_in(client, member.email, "not-the-password")

    response = _sign_in(client, member.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_changing_the_capitals_of_the_e_mail_does_not_buy_more_attempts(client, member):
    variants = [member.email, member.email.upper(), member.email.capitalize(), "  " + member.email.title()]
    for i in range(5):
        _sign_in(client, variants[i % len(variants)], "not-the-password")

    response = _sign_in(client, member.email.upper(), TEST_PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_four_failures_still_let_the_right_password_in(client, member):
    for _ in range(4):
        _sign_in(client, member.email, "not-the-password")

    response = _sign_in(client, member.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(member.pk)


def test_a_lockout_does_not_affect_another_account(client, member, viewer):
    for _ in range(5):
        _sign_in(client, member.email, "not-the-password")

    response = _sign_in(client, viewer.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(viewer.pk)


# --- Signing out ------------------------------------------------------------------


def test_many_failures_from_one_address_pause_sign_in_from_it_for_every_account(client, settings, member, viewer):
    """Password spraying: one guess at each of many accounts never locks any one account, so the address is."""
    from django.core.cache import cache

    cache.clear()
    settings.SIGNIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        assert _sign_in(client, f"someone{n}@example.test", "Winter2026!").status_code == 200

    response = _sign_in(client, member.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins have come from your network" in html.unescape(response.content.decode())
    assert f'value="{member.email}"' in response.content.decode()
    assert _signed_in_user_id(client) is None
    other_address = _sign_in(client, viewer.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302
    cache.clear()


def test_successful_sign_ins_from_one_address_are_never_paused(client, settings, member, viewer):
    """A 911 center's staff (or the load test's 50 people on loopback) share one address: only failures count."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.SIGNIN_FAILURES_PER_ADDRESS = 3
    for n in range(8):  # more than the limit, alternating two accounts, each in a new session
        person = (member, viewer)[n % 2]
        response = _sign_in(Client(), person.email, TEST_PASSWORD)
        assert response.status_code == 302, n
    assert _sign_in(client, member.email, TEST_PASSWORD).status_code == 302
    assert _signed_in_user_id(client) == str(member.pk)
    cache.clear()


def test_signing_out_needs_a_post(client, member):
    client.force_login(member)

    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_user_id(client) == str(member.pk)


def test_signing_out_ends_the_session(client, workgroup, member):
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert _signed_in_user_id(client) is None
    after = client.get("/w/riverbend/")
    assert after.status_code == 302
    assert after.url.startswith(LOGIN_URL)


# --- Passwords --------------------------------------------------------------------


def test_a_signed_in_user_can_change_their_password(client, workgroup, member):
    client.force_login(member)
    assert client.get("/accounts/password_change/").status_code == 200

    response = client.post(
        "/accounts/password_change/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert client.get("/w/riverbend/").status_code == 200  # still signed in


@pytest.mark.parametrize(("new_password", "reason"), [
    ("short-1", "This password is too short. It must contain at least 10 characters."),
    ("password123", "This password is too common."),
    ("4815162342108", "This password is entirely numeric."),
])
def test_a_weak_new_password_is_refused_and_the_old_one_still_works(client, member, new_password, reason):
    client.force_login(member)

    response = client.post("/accounts/password_change/", {
        "old_password": TEST_PASSWORD, "new_password1": new_password, "new_password2": new_password})

    assert response.status_code == 200
    assert reason in html.unescape(response.content.decode())
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def test_a_password_like_the_persons_e_mail_is_refused(client, member):
    client.force_login(member)
    like_email = member.email.split("@")[0] + "2026"

    response = client.post("/accounts/password_change/", {
        "old_password": TEST_PASSWORD, "new_password1": like_email, "new_password2": like_email})

    assert "The password is too similar to the" in html.unescape(response.content.decode())


def test_a_password_change_with_the_wrong_old_password_is_refused(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong-old-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def test_a_password_reset_link_lets_the_user_choose_a_new_password(client, workgroup, member, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": member.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [member.email]
    link = re.search(r"https?://testserver(/accounts/reset/\S+)", mailoutbox[0].body)
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.url == "/accounts/reset/done/"
    assert _sign_in(client, member.email, TEST_PASSWORD).status_code == 200  # the old one no longer works
    signed_in = _sign_in(client, member.email, NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert _signed_in_user_id(client) == str(member.pk)


def test_a_password_reset_for_an_unknown_address_sends_nothing(client, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.test"})

    assert response.status_code == 302  # same answer as for a real address: no account probing
    assert mailoutbox == []


# --- Admin ------------------------------------------------------------------------


def test_the_admin_opens_for_staff(client):
    from toolkit.tests.test_two_step import sign_in_with_code

    sign_in_with_code(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Site administration" in response.content.decode()


@pytest.mark.parametrize("page", ["/admin/toolkit/user/", "/admin/toolkit/user/add/", "/admin/toolkit/membership/"])
def test_the_admin_pages_for_people_render_for_a_superuser(client, member, page):
    from toolkit.tests.test_two_step import sign_in_with_code

    sign_in_with_code(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.get(page)

    assert response.status_code == 200
    if page == "/admin/toolkit/user/":
        assert member.email in response.content.decode()
    if page == "/admin/toolkit/membership/":
        assert str(member) in html.unescape(response.content.decode())


def test_the_admin_sends_a_non_staff_user_to_its_login(client, member):
    client.force_login(member)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- seed_demo --------------------------------------------------------------------


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "workgroups": Workgroup.objects.count(),
        "workgroup history": Workgroup.history.count(),
        "membership history": Membership.history.count(),
    }


def test_seed_demo_creates_the_county_workgroup_with_one_person_per_role():
    output = _seed()

    county = Workgroup.objects.get(slug="riverbend-county")
    roles = sorted(Membership.objects.filter(workgroup=county).values_list("role", flat=True))
    assert roles == sorted(Role.values)
    assert "coordinator@example.org" in output
    assert User.objects.get(email="admin@example.org").is_staff


def test_seed_demo_run_twice_changes_nothing():
    _seed()
    before = _counts()

    output = _seed()

    assert _counts() == before
    assert "coordinator@example.org" in output


def test_a_seeded_person_can_sign_in_with_the_printed_password(client):
    output = _seed()
    password = re.search(r"password for all: (\S+)\)", output).group(1)

    response = _sign_in(client, "coordinator@example.org", password)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(User.objects.get(email="coordinator@example.org").pk)


def test_seed_demo_refuses_to_create_demo_accounts_in_production(settings, db):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(email="admin@example.org").exists()


def test_every_seeded_workgroup_has_a_coordinator(db):
    _seed()

    for workgroup in Workgroup.objects.all():
        assert workgroup.memberships.filter(role=Role.COORDINATOR).exists(), workgroup.name


def test_sign_in_goes_on_when_the_cache_holding_the_per_address_count_is_down(client, workgroup, member):
    from unittest import mock

    broken = mock.Mock(side_effect=ConnectionError("Redis is down"))
    with mock.patch("toolkit.auth.cache.get", broken), mock.patch("toolkit.auth.cache.add", broken):
        wrong = _sign_in(client, member.email, "not-the-password")
        right = _sign_in(client, member.email, TEST_PASSWORD)

    assert wrong.status_code == 200  # the ordinary refusal, not a server error
    assert right.status_code == 302 and _signed_in_user_id(client) == str(member.pk)
