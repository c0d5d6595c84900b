"""The only readiness page reachable without an account: a questionnaire behind a one-time link."""

from django.urls import path

from readiness.views import respond

app_name = "readiness-public"

urlpatterns = [
    path("<slug:slug>/<str:link_token>/", respond.link_respond, name="respond"),
]
