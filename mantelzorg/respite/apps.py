from django.apps import AppConfig


class RespiteConfig(AppConfig):
    name = "mantelzorg.respite"
    label = "respite"

    def ready(self):
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
