from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendor escalations"

    def ready(self) -> None:
        from vendors import guard

        guard.register()
