from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mantelzorg.accounts"
    label = "accounts"

    def ready(self):
        from mantelzorg.core import personal_data

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
