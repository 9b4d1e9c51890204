from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendor escalations"

    def ready(self) -> None:
        from incidents.page_panels import IncidentPanel
        from incidents.page_panels import register as register_incident_panel
        from tickets.panels import TicketPanel, register
        from vendors import guard, notifications, receivers
        from vendors.panels import escalations_panel_context, incident_escalations_context

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
        register_incident_panel(
            IncidentPanel(
                name="vendor-escalations",
                template="vendors/panels/incident_escalations.html",
                context=incident_escalations_context,
            )
        )
