from django.apps import AppConfig


class DeclarationConfig(AppConfig):
    name = "mantelzorg.declaration"
    label = "declaration"

    def ready(self):
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
