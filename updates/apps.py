from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "updates"
    verbose_name = "Timeline and promises"

    def ready(self) -> None:
        from updates import receivers

        receivers.connect()
