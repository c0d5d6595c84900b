"""gunicorn's access log without one-time link tokens.

A readiness questionnaire link is its own credential (/respond/<slug>/<token>/); anyone who reads
the access log must not be able to answer as that partner. The token is replaced by "…".
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

_TOKEN_IN_PATH = re.compile(r"(/(?:respond|report)/[^/\s]+/)[^/\s?]+")


def redact(text: str | None) -> str | None:
    return _TOKEN_IN_PATH.sub(r"\1…", text) if text else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms
