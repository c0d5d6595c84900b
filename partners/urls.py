from django.urls import path

from partners.views import directory, grid, imports, organizations, raci, routing

app_name = "partners"

urlpatterns = [
    path("", organizations.index, name="index"),
    # Organizations and contacts
    path("organizations/", directory.directory, name="directory"),
    path("organizations/new/", organizations.organization_create, name="organization-create"),
    path("organizations/<int:organization_id>/", organizations.organization_detail, name="organization-detail"),
    path("organizations/<int:organization_id>/edit/", organizations.organization_edit, name="organization-edit"),
    path("organizations/<int:organization_id>/delete/", organizations.organization_delete, name="organization-delete"),
    path("organizations/<int:organization_id>/contacts/new/", organizations.contact_create, name="contact-create"),
    path("contacts/<int:contact_id>/edit/", organizations.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete/", organizations.contact_delete, name="contact-delete"),
    path("contacts/<int:contact_id>/vcard/", directory.contact_vcard, name="contact-vcard"),
    # Sectors and coverage
    path("sectors/", organizations.sector_list, name="sectors"),
    path("sectors/new/", organizations.sector_create, name="sector-create"),
    path("sectors/<int:sector_id>/delete/", organizations.sector_delete, name="sector-delete"),
    path("coverage/", grid.coverage, name="coverage"),
    # Power–interest grid
    path("grid/", grid.grid, name="grid"),
    path("grid.svg", grid.grid_svg, name="grid-svg"),
    # Roles and responsibilities
    path("raci/", raci.matrix, name="raci"),
    path("raci/cell/", raci.cell, name="raci-cell"),
    path("raci/functions/new/", raci.function_create, name="raci-function-create"),
    path("raci/functions/<int:function_id>/edit/", raci.function_edit, name="raci-function-edit"),
    path("raci/functions/<int:function_id>/delete/", raci.function_delete, name="raci-function-delete"),
    # Directory export and import
    path("export.csv", directory.export_csv, name="export-csv"),
    path("import/", imports.import_upload, name="import"),
    path("import/<int:directory_import_id>/", imports.import_preview, name="import-preview"),
]

urlpatterns += routing.urlpatterns  # the routing directory (partners/views/routing.py)
