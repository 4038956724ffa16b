from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mantelzorg.core"
    label = "core"

    def ready(self):
        from mantelzorg.core import idempotency, personal_data

        personal_data.register(
            personal_data.Provider(
                app="core", export=idempotency.personal_export, erase=idempotency.personal_erase, models=()
            )
        )
