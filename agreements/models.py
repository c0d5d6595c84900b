"""Models of the agreements area (arrive with its issue)."""
