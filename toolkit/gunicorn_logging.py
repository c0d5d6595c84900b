"""gunicorn's access log without one-time link tokens.

A readiness questionnaire link is its own credential (/respond/<slug>/<token>/); anyone who reads
the access log must not be able to answer as that partner. So are the incident intake and counsel's
links, invitations and password-reset links. The token is replaced by "…".
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

# One-time links (questionnaire, incident intake, counsel's review), invitations and password-reset links.
_TOKEN_IN_PATH = re.compile(r"(/(?:respond|report|counsel)/[^/\s]+/|/invitations/|/accounts/reset/[^/\s]+/)"
                            r"(?!set-password/)[^/\s?]+")


def redact(text: str | None) -> str | None:
    return _TOKEN_IN_PATH.sub(r"\1…", text) if text else text


class RedactTokens(logging.Filter):
    """For Django's own loggers (django.request, django.security.csrf, django.server): a refused or failed request is
    logged with its path, and on a link page the path holds the token. The message and its arguments are redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms
