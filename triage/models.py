"""Models of the triage area (arrive with its issue)."""
