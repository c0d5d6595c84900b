"""Rows of the incidents area the URL walk needs (``toolkit/tests/url_world.py`` calls ``build``).

Each part of the area adds its own rows in its own function, keyed ``(argument name, workgroup id)``.
"""

from __future__ import annotations

from typing import Any


def build(extra: dict[tuple[str, int], Any], *, workgroup, incident, qa) -> None:
    _review(extra, workgroup=workgroup, incident=incident, qa=qa)
    _attachments_and_intake(extra, workgroup=workgroup, incident=incident, qa=qa)
    _exports(extra, workgroup=workgroup, incident=incident, qa=qa)
    _imports(extra, workgroup=workgroup, incident=incident, qa=qa)


def _review(extra, *, workgroup, incident, qa) -> None:
    """A root cause with one corrective action, and a joint reviewer (the workgroup's member)."""


def _attachments_and_intake(extra, *, workgroup, incident, qa) -> None:
    """An attachment on the incident, and the workgroup's intake link token ("intake_token")."""


def _exports(extra, *, workgroup, incident, qa) -> None:
    """The export kind the download URL is walked with ("export_kind")."""


def _imports(extra, *, workgroup, incident, qa) -> None:
    """An uploaded incident import waiting for confirmation ("incident_import_id")."""
