"""The only agreement page reachable without an account: counsel's approval behind a one-time link."""

from agreements.views import counsel

app_name = "agreements-public"

urlpatterns = counsel.public_urlpatterns
