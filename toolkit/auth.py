"""Sign-in helpers: how the lockout counts, and the per-address limit that stops password spraying."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger("toolkit.security")

MSG_ADDRESS_LIMITED = ("Too many failed sign-ins have come from your network. Sign-in from it is paused for "
                       "{minutes} minutes. If you share a network with colleagues, ask them too; if this was "
                       "not you or them, tell your coordinator.")


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The lockout counts attempts per address as sign-in matches it: case and spaces ignored.

    Without this, "Victim@", "vIctim@"… would each get their own five tries.
    """
    source = credentials if credentials else request.POST
    return (source.get("username") or "").strip().lower()


# --- Password spraying -----------------------------------------------------------------------------
#
# django-axes locks an account after five failures from one address. Someone trying one or two common
# passwords on each of hundreds of accounts never trips that, so failures are also counted per address,
# whatever the account, in the cache (Redis in production: one count across every web process). Past the
# limit every sign-in from the address waits out the cool-off, the right password included, so a spray
# cannot go on by mixing in a known account.


def _address(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _key(request: HttpRequest) -> str:
    return f"signin-failures:{_address(request)}"


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def address_is_limited(request: HttpRequest) -> bool:
    try:
        return (cache.get(_key(request)) or 0) >= settings.SIGNIN_FAILURES_PER_ADDRESS
    except Exception:  # the cache (Redis) is down: sign-in goes on, guarded by the per-account lockout alone
        logger.warning("Sign-in limit per address not checked: the cache cannot be reached", exc_info=True)
        return False


@receiver(user_login_failed, dispatch_uid="toolkit_auth_count_address_failures")
def count_address_failure(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        return
    key = _key(request)
    try:
        # add() starts the window at the first failure; incr() keeps its expiry, so the window does not slide.
        if not cache.add(key, 1, timeout=cool_off_seconds()):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=cool_off_seconds())
    except Exception:  # the cache is down: the failure is still counted per account by django-axes
        logger.warning("Failed sign-in not counted per address: the cache cannot be reached", exc_info=True)


def check_proxy_count(app_configs=None, **kwargs):
    """Deployment check: the per-address limits must see clients' addresses, not the proxy's."""
    from django.core.checks import Warning as CheckWarning

    if settings.AXES_IPWARE_PROXY_COUNT == 0:
        return [CheckWarning(
            "AXES_PROXY_COUNT is 0: behind a reverse proxy every sign-in seems to come from the proxy, so 30 failed "
            "sign-ins by anyone would pause sign-in for everyone.",
            hint="Set AXES_PROXY_COUNT to the number of proxies in front of the app. If clients really connect "
                 "directly, silence this check (SILENCED_SYSTEM_CHECKS = ['toolkit.W001']).",
            id="toolkit.W001",
        )]
    return []
