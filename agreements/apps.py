from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from agreements.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=30, area="agreements", provider=dashboard_card)

        from agreements import packets  # noqa: F401  (registers the agreement packet job on the pdf queue)
        from agreements.models import (
            Agreement,
            AgreementPacket,
            AgreementTemplate,
            Clause,
            CommentReply,
            PartyApproval,
            ReviewComment,
            ReviewDecision,
            WordImport,
        )
        from agreements.services import library_ensure_defaults
        from toolkit.selectors import register_audited_model
        from toolkit.services import register_workgroup_setup

        register_workgroup_setup(library_ensure_defaults)
        for model in (Clause, AgreementTemplate, Agreement, ReviewComment, CommentReply, ReviewDecision,
                      PartyApproval, WordImport, AgreementPacket):
            register_audited_model(model)

    def seed_demo(self, *, workgroup, actor) -> None:
        """Called by `manage.py seed_demo` after partners and triage (the MOU names their rows)."""
        from agreements.demo import seed_agreements_demo

        seed_agreements_demo(workgroup=workgroup, actor=actor)
