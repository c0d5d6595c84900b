from django.urls import path

from readiness.views import actions, instruments, respond, results, rounds

app_name = "readiness"

urlpatterns = [
    # Rounds and respondents (rounds.py)
    path("", rounds.index, name="index"),
    path("rounds/new/", rounds.round_create, name="round-create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round-edit"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round-close"),
    path("rounds/<int:pk>/reopen/", rounds.round_reopen, name="round-reopen"),
    path("rounds/<int:pk>/remind/", rounds.round_remind, name="round-remind"),
    path("rounds/<int:pk>/respondents/members/", rounds.respondents_add_members, name="respondents-add-members"),
    path("rounds/<int:pk>/respondents/contacts/", rounds.respondents_add_contacts, name="respondents-add-contacts"),
    path("rounds/<int:pk>/respondents/person/", rounds.respondent_add_person, name="respondent-add-person"),
    path("respondents/<int:pk>/", rounds.respondent_detail, name="respondent-detail"),
    path("respondents/<int:pk>/resend/", rounds.respondent_resend, name="respondent-resend"),
    path("respondents/<int:pk>/remove/", rounds.respondent_remove, name="respondent-remove"),
    # A member answering inside the app (respond.py; link respondents use readiness.urls_public)
    path("rounds/<int:pk>/answer/", respond.member_respond, name="respond"),
    # Instruments (instruments.py)
    path("instruments/", instruments.instrument_list, name="instrument-list"),
    path("instruments/new/", instruments.instrument_create, name="instrument-create"),
    path("instruments/<int:pk>/", instruments.instrument_detail, name="instrument-detail"),
    path("instruments/<int:pk>/edit/", instruments.instrument_edit, name="instrument-edit"),
    path("versions/<int:pk>/", instruments.version_detail, name="version-detail"),
    path("versions/<int:pk>/edit/", instruments.version_edit, name="version-edit"),
    path("versions/<int:pk>/publish/", instruments.version_publish, name="version-publish"),
    path("versions/<int:pk>/new-draft/", instruments.version_new_draft, name="version-new-draft"),
    path("versions/<int:pk>/discard/", instruments.version_discard, name="version-discard"),
    path("versions/<int:pk>/dimensions/new/", instruments.dimension_create, name="dimension-create"),
    path("dimensions/<int:pk>/edit/", instruments.dimension_edit, name="dimension-edit"),
    path("dimensions/<int:pk>/delete/", instruments.dimension_delete, name="dimension-delete"),
    path("dimensions/<int:pk>/move/", instruments.dimension_move, name="dimension-move"),
    path("versions/<int:pk>/items/new/", instruments.item_create, name="item-create"),
    path("items/<int:pk>/edit/", instruments.item_edit, name="item-edit"),
    path("items/<int:pk>/delete/", instruments.item_delete, name="item-delete"),
    path("items/<int:pk>/move/", instruments.item_move, name="item-move"),
    # Results, gaps, report, comparison (results.py)
    path("rounds/<int:pk>/results/", results.round_results, name="round-results"),
    path("rounds/<int:pk>/gaps/", results.round_gaps, name="round-gaps"),
    path("rounds/<int:pk>/gaps/accept/", results.gap_accept, name="gap-accept"),
    path("rounds/<int:pk>/report/", results.round_report, name="round-report"),
    path("compare/", results.round_compare, name="round-compare"),
    # Action plan (actions.py)
    path("actions/", actions.action_list, name="action-list"),
    path("actions/new/", actions.action_create, name="action-create"),
    path("actions/<int:pk>/edit/", actions.action_edit, name="action-edit"),
]
