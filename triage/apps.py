from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage protocols"

    def ready(self) -> None:
        from toolkit.dashboard import register_card
        from toolkit.selectors import register_audited_model
        from triage.models import (
            Approval,
            Criterion,
            InForcePeriod,
            Node,
            Option,
            Protocol,
            ProtocolVersion,
            RiskLevel,
            SafetyRule,
            Scenario,
            Signatory,
            Transfer,
            TransferSettings,
        )
        from triage.selectors import dashboard_card

        register_card(order=40, area="triage", provider=dashboard_card)
        for model in (Protocol, ProtocolVersion, Approval, InForcePeriod, RiskLevel, Criterion, Node, Option, Scenario,
                      SafetyRule, Signatory, Transfer):
            register_audited_model(model)
        register_audited_model(TransferSettings)

        from triage.transfers import cards, imports, reports  # noqa: F401  (job kinds register on import)

        register_card(order=45, area="transfers", provider=cards.dashboard_card)

    def seed_demo(self, *, workgroup, actor) -> None:
        """Called by `manage.py seed_demo` after the partners demo (approvals name partner organizations)."""
        from triage.demo import seed_triage_demo

        seed_triage_demo(workgroup=workgroup, actor=actor)

    def seed_demo_last(self, *, workgroup, actor) -> None:
        """A year of transfers, once every area's demo exists (they name protocols, agreements and incidents)."""
        from triage.transfers.demo import seed_transfers_demo

        seed_transfers_demo(workgroup=workgroup, actor=actor)
