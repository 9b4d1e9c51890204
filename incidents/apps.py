from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Major incidents"

    def ready(self) -> None:
        # Registered in every process: the fan-out is queued by task name from web requests.
        import incidents.tasks  # noqa: F401
        from incidents import bulk_actions, reminders
        from incidents.panels import incident_panel_context
        from tickets.panels import TicketPanel, register

        reminders.register()
        register(
            TicketPanel(
                name="major-incident",
                template="incidents/panels/ticket_incident.html",
                context=incident_panel_context,
                order=45,
                column="side",
                forms=("incident",),
            )
        )
        bulk_actions.register()
