"""The app's URLs plus a second admin site at /bench-admin/ for ``pages_at_scale.py``: Django's admin changelist, with
a default ``ModelAdmin``, for the models whose lists the app shows but the project's admin does not register
(organizations, incidents, transfers, agreements, the audit trail…). Bench only; never in ``ROOT_URLCONF``."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.urls import path

from toolkit.urls import urlpatterns as app_urlpatterns

UNREGISTERED = ("partners.Organization", "partners.Contact", "partners.Sector", "partners.RaciAssignment",
                "agreements.Agreement", "agreements.AgreementTemplate", "incidents.Incident", "triage.Transfer",
                "toolkit.AuditEvent")

site = admin.AdminSite(name="bench_admin")
for label in UNREGISTERED:
    site.register(apps.get_model(label), admin.ModelAdmin)

urlpatterns = [path("bench-admin/", site.urls), *app_urlpatterns]
