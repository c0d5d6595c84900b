"""Models of the readiness area (arrive with its issue)."""
