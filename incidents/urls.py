from django.urls import path

from incidents.views import after_action, attachments, exports, imports, incidents, intake, review, trends

app_name = "incidents"

urlpatterns = [
    # Reports and the list (views/incidents.py)
    path("", incidents.index, name="index"),
    path("report/", incidents.report, name="report"),
    path("<int:incident_id>/", incidents.incident_detail, name="incident-detail"),
    # The QA workflow, joint review and marking (views/review.py)
    path("<int:incident_id>/triage/", review.incident_triage, name="incident-triage"),
    path("<int:incident_id>/review/start/", review.review_start, name="review-start"),
    path("<int:incident_id>/harm/rate/", review.harm_rate, name="harm-rate"),
    path("<int:incident_id>/harm/agree/", review.harm_agree, name="harm-agree"),
    path("<int:incident_id>/assessment/", review.assessment, name="assessment"),
    path("<int:incident_id>/root-causes/", review.root_cause_add, name="root-cause-add"),
    path("<int:incident_id>/actions/", review.action_add, name="action-add"),
    path("<int:incident_id>/actions/<int:corrective_action_id>/", review.action_update, name="action-update"),
    path("<int:incident_id>/review/finish/", review.review_finish, name="review-finish"),
    path("<int:incident_id>/close/", review.incident_close, name="incident-close"),
    path("<int:incident_id>/reopen/", review.incident_reopen, name="incident-reopen"),
    path("<int:incident_id>/comments/", review.comment_add, name="comment-add"),
    path("<int:incident_id>/marking/", review.marking, name="marking"),
    path("<int:incident_id>/shares/", review.share_add, name="share-add"),
    path("<int:incident_id>/shares/<int:share_id>/remove/", review.share_remove, name="share-remove"),
    # Attachments (views/attachments.py)
    path("<int:incident_id>/attachments/", attachments.attachment_upload, name="attachment-upload"),
    path("<int:incident_id>/attachments/<int:attachment_id>/", attachments.attachment_download,
         name="attachment-download"),
    path("<int:incident_id>/attachments/<int:attachment_id>/delete/", attachments.attachment_delete,
         name="attachment-delete"),
    # After-action review (views/after_action.py)
    path("<int:incident_id>/after-action/", after_action.after_action_edit, name="after-action"),
    path("<int:incident_id>/after-action/pdf/", after_action.after_action_pdf, name="after-action-pdf"),
    # The public intake link, as QA and coordinators manage it (views/intake.py; the form is in urls_public)
    path("intake-link/", intake.intake_link, name="intake-link"),
    # Trends, exports and the data-sharing settings (views/trends.py, views/exports.py)
    path("trends/", trends.trends, name="trends"),
    path("trends/quarterly-report/", trends.quarterly_report, name="quarterly-report"),
    path("data-sharing/", exports.data_sharing, name="data-sharing"),
    path("exports/", exports.export_page, name="exports"),
    path("exports/<slug:export_kind>.csv", exports.export_download, name="export-download"),
    # Import of past incidents (views/imports.py)
    path("imports/", imports.import_upload, name="import-upload"),
    path("imports/<int:incident_import_id>/", imports.import_preview, name="import-preview"),
]
