"""Placeholder: filled in by the transfers work (issue 15)."""

urlpatterns: list = []
