"""Demo transfers (issue 15: a year of ~5,000 records consistent with the demo protocol and directory)."""

from __future__ import annotations


def seed_transfers_demo(*, workgroup, actor) -> None:
    """Placeholder until the demo year is written."""
