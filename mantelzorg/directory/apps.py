from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "mantelzorg.directory"
    label = "directory"

    def ready(self):
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
