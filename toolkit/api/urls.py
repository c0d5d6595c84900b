"""/api/: version 1 of the endpoints, the OpenAPI schema and its interactive docs (served from this site)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from toolkit.api import views

app_name = "api"

v1 = [
    path("transfers/", views.TransferList.as_view(), name="transfers"),
    path("incidents/", views.IncidentCreate.as_view(), name="incidents"),
    path("protocols/", views.ProtocolList.as_view(), name="protocols"),
    path("protocols/<int:protocol_id>/", views.ProtocolDetail.as_view(), name="protocol"),
    path("metrics/", views.Metrics.as_view(), name="metrics"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as its own file: the strict CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="toolkit/api_docs.html"),
         name="docs"),
]
