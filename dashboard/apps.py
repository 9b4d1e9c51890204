from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Manager dashboard"

    def ready(self) -> None:
        from dashboard.panels import losses_panel_context
        from tickets.panels import TicketPanel, register

        # The ticket page's losses, with links to record and revise them on the dashboard.
        register(
            TicketPanel(
                name="losses",
                template="dashboard/panels/losses.html",
                context=losses_panel_context,
                order=90,
                column="side",
            )
        )
