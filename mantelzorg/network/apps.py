from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "mantelzorg.network"
    label = "network"

    def ready(self):
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
