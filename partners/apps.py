from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from partners import imports, reports  # noqa: F401  (register the directory import and partner map PDF jobs)
        from partners.models import (
            Contact,
            InteropFunction,
            Organization,
            RaciAssignment,
            RoutingProfile,
            Sector,
            TransferLine,
        )
        from partners.selectors import dashboard_card
        from partners.services import partner_map_create_defaults
        from toolkit.dashboard import register_card
        from toolkit.selectors import register_audited_model
        from toolkit.services import register_workgroup_setup

        register_card(order=10, area="partners", provider=dashboard_card)
        register_workgroup_setup(partner_map_create_defaults)
        for model in (Organization, Contact, Sector, InteropFunction, RaciAssignment, RoutingProfile, TransferLine):
            register_audited_model(model)

    def seed_demo(self, *, workgroup, actor) -> None:
        """Called by `manage.py seed_demo` for the demo county workgroup."""
        from partners.demo import seed_partner_demo

        seed_partner_demo(workgroup=workgroup, actor=actor)
