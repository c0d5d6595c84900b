from django.urls import path

from triage.views import editor, exchange, protocols, rules, scenarios, simulator, workflow

app_name = "triage"

urlpatterns = [
    # Protocols and versions (protocols.py)
    path("", protocols.index, name="index"),
    path("protocols/new/", protocols.protocol_create, name="protocol-create"),
    path("protocols/<int:protocol_id>/", protocols.protocol_detail, name="protocol-detail"),
    path("versions/<int:protocol_version_id>/", protocols.version_detail, name="version-detail"),
    # Tree editing, drafts only (editor.py)
    path("versions/<int:protocol_version_id>/edit/", editor.version_edit, name="version-edit"),
    path("versions/<int:protocol_version_id>/nodes/new/", editor.node_create, name="node-create"),
    path("nodes/<int:node_id>/edit/", editor.node_edit, name="node-edit"),
    path("nodes/<int:node_id>/delete/", editor.node_delete, name="node-delete"),
    path("nodes/<int:node_id>/options/new/", editor.option_create, name="option-create"),
    path("options/<int:option_id>/edit/", editor.option_edit, name="option-edit"),
    path("options/<int:option_id>/delete/", editor.option_delete, name="option-delete"),
    path("options/<int:option_id>/move/", editor.option_move, name="option-move"),
    path("versions/<int:protocol_version_id>/risk-levels/new/", editor.risk_level_create, name="risk-level-create"),
    path("risk-levels/<int:risk_level_id>/edit/", editor.risk_level_edit, name="risk-level-edit"),
    path("versions/<int:protocol_version_id>/criteria/new/", editor.criterion_create, name="criterion-create"),
    path("criteria/<int:criterion_id>/edit/", editor.criterion_edit, name="criterion-edit"),
    # Scenarios and the decision-point matrix (scenarios.py)
    path("versions/<int:protocol_version_id>/scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("versions/<int:protocol_version_id>/scenarios/new/", scenarios.scenario_create, name="scenario-create"),
    path("scenarios/<int:scenario_id>/edit/", scenarios.scenario_edit, name="scenario-edit"),
    path("scenarios/<int:scenario_id>/delete/", scenarios.scenario_delete, name="scenario-delete"),
    path("versions/<int:protocol_version_id>/matrix/", scenarios.matrix, name="matrix"),
    # Safety rules (rules.py)
    path("versions/<int:protocol_version_id>/rules/", rules.rule_list, name="rule-list"),
    path("versions/<int:protocol_version_id>/rules/new/", rules.rule_create, name="rule-create"),
    path("rules/<int:rule_id>/edit/", rules.rule_edit, name="rule-edit"),
    path("rules/<int:rule_id>/delete/", rules.rule_delete, name="rule-delete"),
    # Workflow (workflow.py)
    path("versions/<int:protocol_version_id>/signatories/new/", workflow.signatory_add, name="signatory-add"),
    path("versions/<int:protocol_version_id>/signatories/<int:signatory_id>/remove/", workflow.signatory_remove,
         name="signatory-remove"),
    path("versions/<int:protocol_version_id>/submit/", workflow.submit, name="version-submit"),
    path("versions/<int:protocol_version_id>/return/", workflow.return_to_draft, name="version-return"),
    path("versions/<int:protocol_version_id>/approvals/new/", workflow.approval_create, name="approval-create"),
    path("versions/<int:protocol_version_id>/approve/", workflow.approve, name="version-approve"),
    path("versions/<int:protocol_version_id>/put-in-force/", workflow.put_in_force, name="version-put-in-force"),
    path("versions/<int:protocol_version_id>/retire/", workflow.retire, name="version-retire"),
    path("versions/<int:protocol_version_id>/new-draft/", workflow.new_draft, name="version-new-draft"),
    # Simulator and diagram (simulator.py)
    path("versions/<int:protocol_version_id>/simulate/", simulator.simulate, name="simulate"),
    path("versions/<int:protocol_version_id>/diagram.svg", simulator.diagram_svg, name="diagram"),
    # JSON exchange (exchange.py)
    path("versions/<int:protocol_version_id>/export.json", exchange.export_json, name="export-json"),
    path("import/", exchange.import_json, name="import-json"),
]
