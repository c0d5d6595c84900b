"""API keys: created by a coordinator, shown once, stored only as a SHA-256 hash, revoked for good."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from toolkit.history import save_validated
from toolkit.models import ApiScope, ApiToken
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

KEY_START = "cit_"  # says what the secret is when it turns up in a log or a password manager
PREFIX_LENGTH = 12  # ApiToken.prefix: "cit_" and 8 random characters, enough to tell keys apart
MSG_ALREADY_REVOKED = "This key was revoked already."
MSG_ARCHIVED = "This workgroup is archived: it takes no new API keys."


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]


def api_token_create(*, actor: User, workgroup: Workgroup, name: str, scope: str = ApiScope.READ
                     ) -> tuple[ApiToken, str]:
    """A new key for ``workgroup``: the row, and the key itself, which is never stored and never shown again."""
    require(actor, workgroup, Action.MANAGE_API)
    if workgroup.is_archived:
        raise ValidationError(MSG_ARCHIVED)
    for _attempt in range(3):  # two keys sharing the 8 random characters of a prefix: draw again
        key = KEY_START + secrets.token_urlsafe(32)
        token = ApiToken(workgroup=workgroup, name=name, scope=scope, prefix=key_prefix(key), key_hash=key_hash(key),
                         created_by=actor)
        try:
            with transaction.atomic():
                return save_validated(token, actor), key
        except (IntegrityError, ValidationError) as exc:
            if not ApiToken.objects.filter(prefix=token.prefix).exists():
                raise exc
    raise RuntimeError("Could not draw an unused key prefix")  # pragma: no cover: 2^-48 three times over


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop the key working at once; the row stays in the list (and the audit trail) as revoked."""
    require(actor, token.workgroup, Action.MANAGE_API)
    if token.revoked_at is not None:
        raise ValidationError(MSG_ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    return save_validated(token, actor)
