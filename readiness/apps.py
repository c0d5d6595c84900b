from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = "Readiness"

    def ready(self) -> None:
        from readiness.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=20, area="readiness", provider=dashboard_card)
