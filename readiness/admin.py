from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from readiness.models import ActionItem, AssessmentRound, Instrument, InstrumentVersion, Respondent


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "workgroup"]
    list_filter = ["workgroup"]
    search_fields = ["name"]


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(SimpleHistoryAdmin):
    list_display = ["instrument", "number", "status", "workgroup"]
    list_filter = ["status", "workgroup"]


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "due_date", "workgroup"]
    list_filter = ["status", "workgroup"]


@admin.register(Respondent)
class RespondentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization_name", "round", "submitted_at"]
    list_filter = ["workgroup"]
    # The nonce is half of a working link; nobody needs to read it in the admin.
    exclude = ["token_nonce"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "due_date", "workgroup"]
    list_filter = ["status", "workgroup"]
