from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from triage.models import Approval, InForcePeriod, Protocol, ProtocolVersion


@admin.register(Protocol)
class ProtocolAdmin(SimpleHistoryAdmin):
    list_display = ["name", "workgroup"]
    list_filter = ["workgroup"]
    search_fields = ["name"]


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(SimpleHistoryAdmin):
    list_display = ["protocol", "number", "status", "approved_at"]
    list_filter = ["status", "workgroup"]
    # Versions are edited through the app, where drafts-only rules apply; the admin only looks.
    readonly_fields = [f.name for f in ProtocolVersion._meta.fields]


@admin.register(Approval)
class ApprovalAdmin(SimpleHistoryAdmin):
    list_display = ["version", "organization_name", "approved_on"]


@admin.register(InForcePeriod)
class InForcePeriodAdmin(SimpleHistoryAdmin):
    list_display = ["protocol", "version", "started_at", "ended_at"]
