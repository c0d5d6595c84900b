from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from incidents.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=50, area="incidents", provider=dashboard_card)

        from incidents.models import Incident
        from toolkit.selectors import register_audited_model

        register_audited_model(Incident)
