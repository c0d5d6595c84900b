"""Forms of the readiness area, one module per screen family."""
