from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("<int:incident_id>/", views.incident_detail, name="incident-detail"),
    path("<int:incident_id>/triage/", views.incident_triage, name="incident-triage"),
]
