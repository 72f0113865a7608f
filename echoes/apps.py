from django.apps import AppConfig


class EchoesConfig(AppConfig):
    name = "echoes"
    verbose_name = "Echoes"
