"""Placeholder: filled in by the routing directory work (issue 15)."""

urlpatterns: list = []
