from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mantelzorg.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from mantelzorg.core import personal_data

        from .ratelimit import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="mantelzorg.ratelimit.login_failed")

        from .services import language_remember

        user_logged_in.connect(language_remember, dispatch_uid="mantelzorg.accounts.language")

        from .personal_data import PROVIDER

        personal_data.register(PROVIDER)
