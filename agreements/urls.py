from django.urls import path

from agreements.views import drafting, review

app_name = "agreements"

urlpatterns = [
    # Drafting (drafting.py)
    path("", drafting.index, name="index"),
    path("new/", drafting.agreement_create, name="agreement-create"),
    path("<int:pk>/", drafting.agreement_detail, name="agreement-detail"),
    path("<int:pk>/edit/", drafting.agreement_edit, name="agreement-edit"),
    path("<int:pk>/versions/", drafting.version_list, name="version-list"),
    path("<int:pk>/versions/<int:number>/", drafting.version_detail, name="version-detail"),
    path("<int:pk>/compare/", drafting.compare, name="compare"),
    path("library/", drafting.library, name="library"),
    # Review, signatures and exports (review.py)
    path("<int:pk>/submit/", review.submit, name="submit"),
    path("<int:pk>/request-changes/", review.request_changes, name="request-changes"),
    path("<int:pk>/approve/", review.approve, name="approve"),
    path("<int:pk>/new-draft/", review.new_draft, name="new-draft"),
    path("<int:pk>/signatures/", review.signatures, name="signatures"),
    path("<int:pk>/execute/", review.execute, name="execute"),
    path("<int:pk>/signed-copy/", review.signed_scan_upload, name="signed-scan-upload"),
    path("<int:pk>/signed-copy.pdf", review.signed_scan_download, name="signed-scan-download"),
    path("<int:pk>/versions/<int:number>/comments/new/", review.comment_create, name="comment-create"),
    path("comments/<int:pk>/resolve/", review.comment_resolve, name="comment-resolve"),
    path("<int:pk>/versions/<int:number>/export.docx", review.export_docx, name="export-docx"),
    path("<int:pk>/versions/<int:number>/export.pdf", review.export_pdf, name="export-pdf"),
]
