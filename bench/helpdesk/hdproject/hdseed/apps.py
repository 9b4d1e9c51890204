from django.apps import AppConfig


class HdseedConfig(AppConfig):
    name = "hdseed"
