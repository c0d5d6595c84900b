"""Transfer records, their import and their metrics: /w/<slug>/transfers/… (views in triage.views.transfer*)."""

from triage.views import transfer_imports, transfer_metrics, transfers

app_name = "transfers"

urlpatterns = [*transfers.urlpatterns, *transfer_imports.urlpatterns, *transfer_metrics.urlpatterns]
