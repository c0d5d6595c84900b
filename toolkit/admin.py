from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from toolkit import services
from toolkit.models import Invitation, Job, Membership, User, Workgroup
from toolkit.views.accounts import admin_has_permission


def _confirmed(request, queryset, *, action: str, title: str, consequences: list[str]):
    """Django admin's two-step action: a confirmation page first; None once the staff member confirmed."""
    if request.POST.get("confirmed") == "yes":
        return None
    return TemplateResponse(request, "admin/toolkit/confirm_action.html", {
        "title": title, "objects": queryset, "action": action, "consequences": consequences,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": queryset.model._meta,
    })


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = ["delete_accounts", "anonymise_accounts"]
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only through the actions below, which keep the records whole

    @admin.action(description="Delete the selected accounts (records keep no link to them)")
    def delete_accounts(self, request, queryset):
        confirm = _confirmed(request, queryset, action="delete_accounts", title="Delete these accounts?", consequences=[
            "The accounts and their memberships are deleted; they can no longer sign in.",
            "Agreements, comments, incidents and history they wrote stay, naming nobody; the audit trail "
            "keeps the name it recorded.",
        ])
        if confirm is not None:
            return confirm
        self._each(request, queryset, services.user_delete, "deleted")

    @admin.action(description="Anonymise the selected accounts (records keep showing one person)")
    def anonymise_accounts(self, request, queryset):
        confirm = _confirmed(request, queryset, action="anonymise_accounts", title="Anonymise these accounts?",
                             consequences=[
            "Name, e-mail address and password are removed; the account stays as “Former user #id”.",
            "Memberships end; everything they did still shows as done by that one former user.",
        ])
        if confirm is not None:
            return confirm
        self._each(request, queryset, services.user_anonymise, "anonymised")

    def _each(self, request, queryset, service, done: str) -> None:
        for user in list(queryset):
            label = user.email
            try:
                service(actor=request.user, user=user)
            except ValidationError as exc:
                self.message_user(request, f"{label}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{label} {done}.", messages.SUCCESS)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workgroup)
class WorkgroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "jurisdiction_type", "jurisdiction_name", "goal", "archived_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "jurisdiction_name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["archived_at", "archived_by"]
    inlines = [MembershipInline]
    actions = ["delete_permanently"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only through "Delete permanently", which also removes history and files

    @admin.action(description="Delete permanently, with every row and file they own")
    def delete_permanently(self, request, queryset):
        confirm = _confirmed(request, queryset, action="delete_permanently", title="Delete these workgroups for good?",
                             consequences=[
            "Every partner, assessment, agreement, protocol, incident, job and file of the workgroup is deleted, "
            "with its history and audit trail.",
            "This cannot be undone. Archiving (by a coordinator) keeps everything and can be reversed.",
        ])
        if confirm is not None:
            return confirm
        for workgroup in list(queryset):
            name = workgroup.name
            report = services.workgroup_delete_permanently(actor=request.user, workgroup=workgroup)
            self.message_user(request, f"{name} deleted ({report.total} rows).", messages.SUCCESS)


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


# --- Two-step sign-in --------------------------------------------------------------------------------
# django-otp's own admin shows each authenticator's secret (a QR code page) and the recovery codes. Staff
# need neither: a person who lost their phone and their codes is helped by deleting their devices, after
# which they sign in with the password and set two-step sign-in up again.

# Staff work in the admin only after two-step sign-in (its sign-in page sends them to the app's own).
admin.site.has_permission = admin_has_permission

for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(TOTPDevice, StaticDevice)
class TwoStepDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = list_display
    readonly_fields = list_display
    search_fields = ["user__email"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
