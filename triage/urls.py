from django.urls import path

from triage.views import editor, exchange, protocols, scenarios, simulator, workflow

app_name = "triage"

urlpatterns = [
    # Protocols and versions (protocols.py)
    path("", protocols.index, name="index"),
    path("protocols/new/", protocols.protocol_create, name="protocol-create"),
    path("protocols/<int:pk>/", protocols.protocol_detail, name="protocol-detail"),
    path("versions/<int:pk>/", protocols.version_detail, name="version-detail"),
    # Tree editing, drafts only (editor.py)
    path("versions/<int:pk>/edit/", editor.version_edit, name="version-edit"),
    path("versions/<int:pk>/nodes/new/", editor.node_create, name="node-create"),
    path("nodes/<int:pk>/edit/", editor.node_edit, name="node-edit"),
    path("nodes/<int:pk>/delete/", editor.node_delete, name="node-delete"),
    path("nodes/<int:pk>/options/new/", editor.option_create, name="option-create"),
    path("options/<int:pk>/edit/", editor.option_edit, name="option-edit"),
    path("options/<int:pk>/delete/", editor.option_delete, name="option-delete"),
    path("options/<int:pk>/move/", editor.option_move, name="option-move"),
    path("versions/<int:pk>/risk-levels/new/", editor.risk_level_create, name="risk-level-create"),
    path("risk-levels/<int:pk>/edit/", editor.risk_level_edit, name="risk-level-edit"),
    # Scenarios and the decision-point matrix (scenarios.py)
    path("versions/<int:pk>/scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("versions/<int:pk>/scenarios/new/", scenarios.scenario_create, name="scenario-create"),
    path("scenarios/<int:pk>/edit/", scenarios.scenario_edit, name="scenario-edit"),
    path("scenarios/<int:pk>/delete/", scenarios.scenario_delete, name="scenario-delete"),
    path("versions/<int:pk>/matrix/", scenarios.matrix, name="matrix"),
    # Workflow (workflow.py)
    path("versions/<int:pk>/submit/", workflow.submit, name="version-submit"),
    path("versions/<int:pk>/return/", workflow.return_to_draft, name="version-return"),
    path("versions/<int:pk>/approvals/new/", workflow.approval_create, name="approval-create"),
    path("versions/<int:pk>/approve/", workflow.approve, name="version-approve"),
    path("versions/<int:pk>/put-in-force/", workflow.put_in_force, name="version-put-in-force"),
    path("versions/<int:pk>/retire/", workflow.retire, name="version-retire"),
    path("versions/<int:pk>/new-draft/", workflow.new_draft, name="version-new-draft"),
    # Simulator and diagram (simulator.py)
    path("versions/<int:pk>/simulate/", simulator.simulate, name="simulate"),
    path("versions/<int:pk>/diagram.svg", simulator.diagram_svg, name="diagram"),
    # JSON exchange (exchange.py)
    path("versions/<int:pk>/export.json", exchange.export_json, name="export-json"),
    path("import/", exchange.import_json, name="import-json"),
]
