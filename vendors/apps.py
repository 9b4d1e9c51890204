from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendor escalations"

    def ready(self) -> None:
        from tickets.panels import TicketPanel, register
        from vendors import guard, notifications, receivers
        from vendors.panels import escalations_panel_context

        receivers.connect()
        guard.register()
        notifications.register()
        register(
            TicketPanel(
                name="vendor-escalations",
                template="vendors/panels/escalations.html",
                context=escalations_panel_context,
                order=50,
                column="side",
            )
        )
