"""Models of the partners area (arrive with its issue)."""
