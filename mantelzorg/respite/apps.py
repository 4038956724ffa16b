from django.apps import AppConfig


class RespiteConfig(AppConfig):
    name = "mantelzorg.respite"
    label = "respite"
