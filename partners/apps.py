from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from partners.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=10, area="partners", provider=dashboard_card)
