from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage protocols"

    def ready(self) -> None:
        from toolkit.dashboard import register_card
        from triage.selectors import dashboard_card

        register_card(order=40, area="triage", provider=dashboard_card)
