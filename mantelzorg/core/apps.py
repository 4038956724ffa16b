from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mantelzorg.core"
    label = "core"
