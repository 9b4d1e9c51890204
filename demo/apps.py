from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data: the top of the app graph (it may import every app; none imports it)."""

    name = "demo"
    verbose_name = "Demo data"
