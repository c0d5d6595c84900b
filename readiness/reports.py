"""The per-round readiness report PDF (a background job). Being written."""
