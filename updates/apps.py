from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "updates"
    verbose_name = "Timeline and promises"

    def ready(self) -> None:
        from tickets.panels import TicketPanel, register
        from updates import receivers, search
        from updates.panels import timeline_panel_context

        receivers.connect()
        search.connect()
        register(
            TicketPanel(
                name="timeline",
                template="updates/panels/timeline.html",
                context=timeline_panel_context,
                order=10,
                column="main",
            )
        )
