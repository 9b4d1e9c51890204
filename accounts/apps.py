from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and customers"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401  (registers the migration-history check)
