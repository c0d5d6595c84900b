"""Root URLs. Everything that shows a workgroup's data lives under /w/<slug>/."""

from django.contrib import admin
from django.urls import include, path

from toolkit.views import accounts, api_tokens, guidance, health, jobs, members, workgroups

toolkit_patterns = [
    path("", workgroups.home, name="home"),
    path("workgroups/new/", workgroups.workgroup_create, name="workgroup-create"),
    path("invitations/<str:invitation_token>/", members.invitation_accept, name="invitation-accept"),
    path("guidance/", guidance.guidance_index, name="guidance"),
    path("guidance/<slug:topic>/", guidance.guidance_topic, name="guidance-topic"),
    path("resources/", guidance.resource_library, name="resources"),
    path("w/<slug:slug>/", workgroups.dashboard, name="dashboard"),
    path("w/<slug:slug>/settings/", workgroups.workgroup_settings, name="workgroup-settings"),
    path("w/<slug:slug>/settings/two-step/", workgroups.workgroup_two_step, name="workgroup-two-step"),
    path("w/<slug:slug>/archive/", workgroups.workgroup_archive, name="workgroup-archive"),
    path("w/<slug:slug>/restore/", workgroups.workgroup_restore, name="workgroup-restore"),
    path("w/<slug:slug>/audit/", workgroups.audit_log, name="audit-log"),
    path("w/<slug:slug>/members/", members.member_list, name="members"),
    path("w/<slug:slug>/members/invite/", members.invitation_create, name="invitation-create"),
    path("w/<slug:slug>/members/<int:membership_id>/role/", members.membership_change_role, name="membership-role"),
    path("w/<slug:slug>/members/<int:membership_id>/remove/", members.membership_remove, name="membership-remove"),
    path("w/<slug:slug>/invitations/<int:invitation_id>/revoke/", members.invitation_revoke,
         name="invitation-revoke"),
    path("w/<slug:slug>/jobs/", jobs.job_list, name="job-list"),
    path("w/<slug:slug>/jobs/start/<slug:job_kind>/", jobs.job_start, name="job-start"),
    path("w/<slug:slug>/jobs/<int:job_id>/", jobs.job_detail, name="job-detail"),
    path("w/<slug:slug>/jobs/<int:job_id>/download/", jobs.job_download, name="job-download"),
    path("w/<slug:slug>/jobs/<int:job_id>/retry/", jobs.job_retry, name="job-retry"),
    *api_tokens.urlpatterns,
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/login/", accounts.admin_login, name="admin-login"),  # before the admin's own sign-in page
    path("admin/", admin.site.urls),
    # Before Django's own accounts URLs: sign-in with the second step and the per-address limit.
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/two-step/", accounts.two_step_overview, name="two-step"),
    path("accounts/two-step/verify/", accounts.two_step_verify, name="two-step-verify"),
    path("accounts/two-step/setup/", accounts.two_step_setup, name="two-step-setup"),
    path("accounts/two-step/recovery-codes/", accounts.recovery_codes_replace, name="two-step-recovery-codes"),
    path("accounts/two-step/turn-off/", accounts.two_step_turn_off, name="two-step-turn-off"),
    path("accounts/keep-alive/", accounts.keep_alive, name="keep-alive"),
    path("accounts/timed-out/", accounts.session_end, name="session-end"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include((toolkit_patterns, "toolkit"))),
    path("w/<slug:slug>/partners/", include("partners.urls")),
    path("w/<slug:slug>/readiness/", include("readiness.urls")),
    path("respond/", include("readiness.urls_public")),
    path("w/<slug:slug>/agreements/", include("agreements.urls")),
    path("counsel/", include("agreements.urls_public")),
    path("w/<slug:slug>/triage/", include("triage.urls")),
    path("w/<slug:slug>/incidents/", include("incidents.urls")),
    path("w/<slug:slug>/transfers/", include("triage.urls_transfers")),
    path("report/", include("incidents.urls_public")),
    path("api/", include("toolkit.api.urls")),
]
