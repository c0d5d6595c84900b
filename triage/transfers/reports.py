"""The monthly post-response data-sharing report (issue 15; being written)."""
