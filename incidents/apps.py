from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from incidents.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=50, area="incidents", provider=dashboard_card)

        from incidents import models
        from toolkit.selectors import register_audited_model

        register_audited_model(models.Incident)
        register_audited_model(models.IncidentSettings)
        # The review's rows carry the workgroup too (the audit trail and the deletion of a workgroup need it).
        for child in (models.HarmRating, models.ContributingFactor, models.RootCause, models.CorrectiveAction,
                      models.IncidentComment, models.IncidentShare, models.Attachment, models.AfterActionReport):
            register_audited_model(child)
        import incidents.reports  # noqa: F401
        from incidents import after_action, imports  # noqa: F401  (their job kinds register on import)

    def seed_demo(self, *, workgroup, actor) -> None:
        """Called by `manage.py seed_demo` after partners (the incidents name their organizations)."""
        from incidents.demo import seed_incidents_demo

        seed_incidents_demo(workgroup=workgroup, actor=actor)
