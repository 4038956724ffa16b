from django.apps import AppConfig


class DeclarationConfig(AppConfig):
    name = "mantelzorg.declaration"
    label = "declaration"
