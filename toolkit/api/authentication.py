"""``Authorization: Bearer <key>`` (or ``Token <key>``): the key names its workgroup; no person is signed in."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from toolkit.models import ApiToken
from toolkit.services.api_tokens import key_hash, key_prefix

KEYWORDS = ("bearer", "token")
# A key used all day long writes its "last used" time once a minute at most, not once a request.
LAST_USED_PRECISION = timedelta(minutes=1)
MSG_MALFORMED = "Send the key as “Authorization: Bearer <key>”."
MSG_UNKNOWN = "This API key is not valid."
MSG_REVOKED = "This API key was revoked. Ask the workgroup's coordinator for a new one."


def token_for_key(key: str) -> ApiToken | None:
    """The active-or-revoked row this key belongs to, or None. Compares hashes in constant time."""
    token = ApiToken.objects.select_related("workgroup").filter(prefix=key_prefix(key)).first()
    if token is None or not hmac.compare_digest(token.key_hash, key_hash(key)):
        return None
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Sets ``request.auth`` to the ApiToken; ``request.user`` stays anonymous (an API call has no person)."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower().decode("latin-1") not in KEYWORDS or len(parts) != 2:
            raise exceptions.AuthenticationFailed(MSG_MALFORMED)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(MSG_MALFORMED) from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(MSG_UNKNOWN)
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(MSG_REVOKED)
        _touch(token)
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        # Makes refusals 401 (with this challenge) rather than 403.
        return 'Bearer realm="api"'


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A plain UPDATE: a use is not a change to audit (last_used_at is left out of the history).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the key."""

    target_class = "toolkit.api.authentication.ApiTokenAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from the workgroup's “API keys” page, sent as `Authorization: Bearer <key>` "
                           "(`Token <key>` works too). Read keys may only GET; write keys may also POST.",
        }
