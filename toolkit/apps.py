from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "toolkit"
    verbose_name = "Crisis Interop Toolkit core"

    def ready(self) -> None:
        from django.core import checks
        from simple_history.signals import post_create_historical_record

        from toolkit import audit, auth, reports, sessions  # noqa: F401  (reports: the summary job; auth, sessions: sign-in receivers)
        from toolkit.audit import register_audited_model
        from toolkit.models import ApiToken, Invitation, Membership, Workgroup

        # The audit trail's one writer: each historical record of a registered model, in its transaction.
        post_create_historical_record.connect(audit.record_history, dispatch_uid="toolkit.audit.record_history")
        register_audited_model(Workgroup, workgroup_field="id")
        register_audited_model(Membership)
        register_audited_model(Invitation)
        register_audited_model(ApiToken)
        checks.register(auth.check_proxy_count, checks.Tags.security, deploy=True)
