"""Sessions end after a spell of inactivity (HIPAA's automatic logoff).

What counts as activity is what the person did: pages they opened, forms they sent, and the keep-alive the
page sends while they type or click (``static/js/app.js``). Status parts that poll every few seconds (job,
packet and import progress) send ``X-Poll: true`` and do not count, or a page left open would never time out.

The time of the last activity is kept in the session, written at most once a minute, so an active session
costs one session write a minute rather than one per request; the page counts down from the timeout less that
minute, so it never promises time the server will not give.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

LAST_ACTIVITY_KEY = "toolkit_last_activity"
SIGNED_IN_AT_KEY = "toolkit_signed_in_at"
POLL_HEADER = "HTTP_X_POLL"
MSG_TIMED_OUT = "You were signed out after {minutes} minutes without activity. Sign in again to carry on."
MSG_TOO_LONG = "You were signed out: sessions last {hours} hours at most. Sign in again to carry on."


def is_poll(request: HttpRequest) -> bool:
    return request.META.get(POLL_HEADER, "").lower() == "true"


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT.total_seconds())


def write_every_seconds() -> int:
    """How stale the stored time of the last activity may be (a minute, less for very short timeouts)."""
    return max(1, min(60, idle_seconds() // 10))


def page_idle_seconds() -> int:
    """What the page counts down from: the stored time can lag by up to one write interval."""
    return idle_seconds() - write_every_seconds()


@receiver(user_logged_in, dispatch_uid="toolkit_sessions_start_clock")
def _start_clock(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LAST_ACTIVITY_KEY] = now
        request.session[SIGNED_IN_AT_KEY] = now  # Django's own expiry slides with every save; this does not


def end_session(request: HttpRequest, *, message: str = "") -> None:
    logout(request)
    messages.info(request, message or MSG_TIMED_OUT.format(minutes=idle_seconds() // 60 or 1))


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > idle_seconds():
                return self._timed_out(request)
            signed_in_at = request.session.setdefault(SIGNED_IN_AT_KEY, now)
            if now - signed_in_at > settings.SESSION_COOKIE_AGE:
                return self._timed_out(request, message=MSG_TOO_LONG.format(hours=settings.SESSION_COOKIE_AGE // 3600))
            if not is_poll(request) and (last is None or now - last >= write_every_seconds()):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _timed_out(request: HttpRequest, *, message: str = "") -> HttpResponse:
        end_session(request, message=message)
        # A page asked for directly comes back after signing in; a form post or a page part cannot be replayed.
        page_part = request.headers.get("HX-Request") == "true"
        wanted = request.get_full_path() if request.method == "GET" and not page_part else ""
        if page_part:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("login")
            return response
        return redirect_to_login(wanted) if wanted else redirect_to_login(reverse("toolkit:home"))
