from django.urls import path

from readiness.views import actions, instruments, respond, results, rounds

app_name = "readiness"

urlpatterns = [
    # Rounds and respondents (rounds.py)
    path("", rounds.index, name="index"),
    path("rounds/new/", rounds.round_create, name="round-create"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round-detail"),
    path("rounds/<int:round_id>/edit/", rounds.round_edit, name="round-edit"),
    path("rounds/<int:round_id>/close/", rounds.round_close, name="round-close"),
    path("rounds/<int:round_id>/reopen/", rounds.round_reopen, name="round-reopen"),
    path("rounds/<int:round_id>/remind/", rounds.round_remind, name="round-remind"),
    path("rounds/<int:round_id>/respondents/members/", rounds.respondents_add_members, name="respondents-add-members"),
    path("rounds/<int:round_id>/respondents/contacts/", rounds.respondents_add_contacts,
         name="respondents-add-contacts"),
    path("rounds/<int:round_id>/respondents/person/", rounds.respondent_add_person, name="respondent-add-person"),
    path("respondents/<int:respondent_id>/", rounds.respondent_detail, name="respondent-detail"),
    path("respondents/<int:respondent_id>/resend/", rounds.respondent_resend, name="respondent-resend"),
    path("respondents/<int:respondent_id>/remove/", rounds.respondent_remove, name="respondent-remove"),
    # A member answering inside the app (respond.py; link respondents use readiness.urls_public)
    path("rounds/<int:round_id>/answer/", respond.member_respond, name="respond"),
    # Instruments (instruments.py)
    path("instruments/", instruments.instrument_list, name="instrument-list"),
    path("instruments/new/", instruments.instrument_create, name="instrument-create"),
    path("instruments/<int:instrument_id>/", instruments.instrument_detail, name="instrument-detail"),
    path("instruments/<int:instrument_id>/edit/", instruments.instrument_edit, name="instrument-edit"),
    path("versions/<int:instrument_version_id>/", instruments.version_detail, name="version-detail"),
    path("versions/<int:instrument_version_id>/edit/", instruments.version_edit, name="version-edit"),
    path("versions/<int:instrument_version_id>/publish/", instruments.version_publish, name="version-publish"),
    path("versions/<int:instrument_version_id>/new-draft/", instruments.version_new_draft, name="version-new-draft"),
    path("versions/<int:instrument_version_id>/discard/", instruments.version_discard, name="version-discard"),
    path("versions/<int:instrument_version_id>/dimensions/new/", instruments.dimension_create, name="dimension-create"),
    path("dimensions/<int:dimension_id>/edit/", instruments.dimension_edit, name="dimension-edit"),
    path("dimensions/<int:dimension_id>/delete/", instruments.dimension_delete, name="dimension-delete"),
    path("dimensions/<int:dimension_id>/move/", instruments.dimension_move, name="dimension-move"),
    path("versions/<int:instrument_version_id>/items/new/", instruments.item_create, name="item-create"),
    path("items/<int:item_id>/edit/", instruments.item_edit, name="item-edit"),
    path("items/<int:item_id>/delete/", instruments.item_delete, name="item-delete"),
    path("items/<int:item_id>/move/", instruments.item_move, name="item-move"),
    # Results, gaps, report, comparison (results.py)
    path("rounds/<int:round_id>/results/", results.round_results, name="round-results"),
    path("rounds/<int:round_id>/gaps/", results.round_gaps, name="round-gaps"),
    path("rounds/<int:round_id>/gaps/accept/", results.gap_accept, name="gap-accept"),
    path("rounds/<int:round_id>/report/", results.round_report, name="round-report"),
    path("compare/", results.round_compare, name="round-compare"),
    # Action plan (actions.py)
    path("actions/", actions.action_list, name="action-list"),
    path("actions/new/", actions.action_create, name="action-create"),
    path("actions/<int:action_item_id>/edit/", actions.action_edit, name="action-edit"),
]
