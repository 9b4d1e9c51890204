from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Major incidents"

    def ready(self) -> None:
        from incidents.panels import incident_panel_context
        from tickets.panels import TicketPanel, register

        register(
            TicketPanel(
                name="major-incident",
                template="incidents/panels/ticket_incident.html",
                context=incident_panel_context,
                order=45,
                column="side",
            )
        )
