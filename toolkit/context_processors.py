from __future__ import annotations

from django.http import HttpRequest

from toolkit.selectors import workgroup_list_for_user
from toolkit.sessions import page_idle_seconds


def workgroups(request: HttpRequest) -> dict:
    """The workgroup switcher in the navigation bar, and the current workgroup if any."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_workgroups": workgroup_list_for_user(user=user),
        "current_workgroup": getattr(request, "workgroup", None),
        "current_membership": getattr(request, "membership", None),
        "idle_seconds": page_idle_seconds(),  # static/js/app.js warns before the session ends
    }
