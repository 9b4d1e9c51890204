from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Time and billing"

    def ready(self) -> None:
        from billing.panels import time_panel_context
        from tickets.panels import TicketPanel, register

        register(
            TicketPanel(
                name="time",
                template="billing/panels/time.html",
                context=time_panel_context,
                order=60,
                column="side",
                forms=("time",),
            )
        )
