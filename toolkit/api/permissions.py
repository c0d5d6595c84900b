"""What a key may do: a read key GETs, a write key also POSTs. Nothing without a key."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.request import Request

from toolkit.models import ApiScope, ApiToken

MSG_READ_ONLY = "This API key may only read. Ask the workgroup's coordinator for a write key."
MSG_ARCHIVED = "This workgroup is archived and takes no new records."


def api_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class ReadScope(permissions.BasePermission):
    """Any valid key (the default for every API view); unsafe methods need a write key."""

    message = MSG_READ_ONLY

    def has_permission(self, request: Request, view) -> bool:
        token = api_token(request)
        if token is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if token.scope != ApiScope.WRITE:
            return False
        if token.workgroup.is_archived:
            self.message = MSG_ARCHIVED
            return False
        return True
