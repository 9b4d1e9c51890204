from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "updates"
    verbose_name = "Timeline and promises"

    def ready(self) -> None:
        # Registered in every process, not only in workers: the outbox queues delivery by the
        # task's name (updates.keeper.outbox.DELIVERY_TASK), even from a web request.
        import updates.keeper.notices
        import updates.tasks  # noqa: F401
        from tickets.panels import TicketPanel, register
        from updates import bulk_actions, receivers, search
        from updates.merge_views import merge_panel_context
        from updates.panels import timeline_panel_context

        receivers.connect()
        search.connect()
        bulk_actions.register()
        register(
            TicketPanel(
                name="timeline",
                template="updates/panels/timeline.html",
                context=timeline_panel_context,
                order=10,
                column="main",
            )
        )
        register(
            TicketPanel(
                name="merge-split",
                template="updates/panels/merge.html",
                context=merge_panel_context,
                order=90,
                column="side",
                forms=("split",),
            )
        )
