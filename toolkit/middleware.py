"""Response headers Django's own middleware does not send, on every page and file the app answers with.

* ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``): no page of the toolkit uses the camera, microphone,
  location, payments, USB and the like, so no page (nor anything injected into one) may ask for them.
* ``Cross-Origin-Resource-Policy: same-origin``: no other site may embed our answers (a workgroup's PDF, an
  attachment) in its own pages.
* ``Cache-Control: private, no-store`` on every answer that does not say how it may be cached: pages and files
  hold workgroup data, or a form's CSRF token, and must not stay in shared or browser caches. Static files are
  served by whitenoise before this runs, with their long-lived caching.

A tiny middleware rather than django-permissions-policy: the header is one fixed string, and the other two
headers would need code of our own anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.permissions_policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response
