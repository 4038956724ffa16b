from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mantelzorg.accounts"
    label = "accounts"
