from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from toolkit.models import Invitation, Job, Membership, User, Workgroup


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workgroup)
class WorkgroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "jurisdiction_type", "jurisdiction_name", "goal"]
    search_fields = ["name", "jurisdiction_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "workgroup", "role"]
    list_filter = ["role", "workgroup"]
    search_fields = ["user__email", "workgroup__name"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "workgroup", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "workgroup"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "workgroup", "status", "progress", "requested_by", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = ["created_at", "started_at", "finished_at"]
