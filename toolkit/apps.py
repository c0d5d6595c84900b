from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "toolkit"
    verbose_name = "Crisis Interop Toolkit core"

    def ready(self) -> None:
        from toolkit import reports  # noqa: F401  (registers the workgroup summary job)
        from toolkit.models import Invitation, Membership, Workgroup
        from toolkit.selectors import register_audited_model

        register_audited_model(Workgroup, workgroup_field="id")
        register_audited_model(Membership)
        register_audited_model(Invitation)
