from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from agreements.selectors import dashboard_card
        from toolkit.dashboard import register_card

        register_card(order=30, area="agreements", provider=dashboard_card)
