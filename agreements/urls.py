from django.urls import path

from agreements.views import counsel, drafting, packets, review, reviewing, word

app_name = "agreements"

urlpatterns = [
    # Drafting (drafting.py)
    path("", drafting.index, name="index"),
    path("new/", drafting.agreement_create, name="agreement-create"),
    path("<int:agreement_id>/", drafting.agreement_detail, name="agreement-detail"),
    path("<int:agreement_id>/edit/", drafting.agreement_edit, name="agreement-edit"),
    path("<int:agreement_id>/versions/", drafting.version_list, name="version-list"),
    path("<int:agreement_id>/versions/<int:version_number>/", drafting.version_detail, name="version-detail"),
    path("<int:agreement_id>/compare/", drafting.compare, name="compare"),
    path("library/", drafting.library, name="library"),
    # Review, signatures and exports (review.py)
    path("<int:agreement_id>/submit/", review.submit, name="submit"),
    path("<int:agreement_id>/request-changes/", review.request_changes, name="request-changes"),
    path("<int:agreement_id>/approve/", review.approve, name="approve"),
    path("<int:agreement_id>/new-draft/", review.new_draft, name="new-draft"),
    path("<int:agreement_id>/signatures/", review.signatures, name="signatures"),
    path("<int:agreement_id>/execute/", review.execute, name="execute"),
    path("<int:agreement_id>/signed-copy/", review.signed_scan_upload, name="signed-scan-upload"),
    path("<int:agreement_id>/signed-copy.pdf", review.signed_scan_download, name="signed-scan-download"),
    path("review-queue/", reviewing.review_queue, name="review-queue"),
    path("<int:agreement_id>/review/", reviewing.review_current, name="review"),
    path("<int:agreement_id>/versions/<int:version_number>/review/", reviewing.version_review,
         name="version-review"),
    path("comments/<int:comment_id>/reply/", reviewing.comment_reply, name="comment-reply"),
    path("<int:agreement_id>/versions/<int:version_number>/comments/new/", review.comment_create,
         name="comment-create"),
    path("comments/<int:comment_id>/resolve/", review.comment_resolve, name="comment-resolve"),
    path("<int:agreement_id>/versions/<int:version_number>/export.docx", review.export_docx, name="export-docx"),
    path("<int:agreement_id>/versions/<int:version_number>/export.pdf", review.export_pdf, name="export-pdf"),
    # Packets (packets.py)
    path("<int:agreement_id>/packets/", packets.packet_list, name="packet-list"),
    path("<int:agreement_id>/packets/<int:packet_id>/", packets.packet_detail, name="packet-detail"),
    path("<int:agreement_id>/packets/<int:packet_id>/packet.pdf", packets.packet_download, name="packet-download"),
    path("<int:agreement_id>/packets/<int:packet_id>/retry/", packets.packet_retry, name="packet-retry"),
    path("<int:agreement_id>/packets/<int:packet_id>/delete/", packets.packet_delete, name="packet-delete"),
]

# Word round trip (word.py) and approval by each party's counsel (counsel.py) declare their own paths.
urlpatterns += word.urlpatterns + counsel.urlpatterns
