"""Importing transfers from partners' CSV exports (issue 15; being written)."""
