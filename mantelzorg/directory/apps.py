from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "mantelzorg.directory"
    label = "directory"
