"""Rate limits per API key (not per address: several partners may share one gateway)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from toolkit.api.permissions import api_token


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Two buckets per key, reads and writes, sized by ``settings.API_RATE_LIMITS`` (read at each request, so
    a deployment or a test can change them). A refusal is 429 with a Retry-After header."""

    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:  # the rate depends on the request: see allow_request
        pass

    def allow_request(self, request: Request, view) -> bool:
        token = api_token(request)
        if token is None:
            return True  # refused before this by the permission check
        self.scope = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
        self.rate = settings.API_RATE_LIMITS[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": api_token(request).prefix}
