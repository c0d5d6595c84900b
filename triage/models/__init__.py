"""Triage's models: protocols and their decision trees (``protocols``), and the transfers they route (``transfers``)."""

from triage.models.protocols import *  # noqa: F403
from triage.models.protocols import HISTORY, colour_validator  # noqa: F401
from triage.models.transfers import *  # noqa: F403
