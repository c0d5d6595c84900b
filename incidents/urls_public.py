"""The only incident page reachable without an account: the workgroup's intake form behind its link."""

from django.urls import path

from incidents.views import intake

app_name = "incidents-public"

urlpatterns = [
    path("<slug:slug>/<str:link_token>/", intake.intake_report, name="intake"),
]
