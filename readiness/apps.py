from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = "Readiness"

    def ready(self) -> None:
        from readiness import reports  # noqa: F401  (registers the readiness report PDF job)
        from readiness.models import (
            ActionItem,
            AssessmentRound,
            Dimension,
            Instrument,
            InstrumentVersion,
            Item,
            Respondent,
        )
        from readiness.selectors import dashboard_card
        from readiness.services import instrument_ensure_default
        from toolkit.dashboard import register_card
        from toolkit.selectors import register_audited_model
        from toolkit.services import register_workgroup_setup

        register_card(order=20, area="readiness", provider=dashboard_card)
        register_workgroup_setup(instrument_ensure_default)
        for model in (Instrument, InstrumentVersion, Dimension, Item, AssessmentRound, Respondent, ActionItem):
            register_audited_model(model)

    def seed_demo(self, *, workgroup, actor) -> None:
        """Called by `manage.py seed_demo` after the partners demo (respondents come from partner contacts)."""
        from readiness.demo import seed_readiness_demo

        seed_readiness_demo(workgroup=workgroup, actor=actor)
