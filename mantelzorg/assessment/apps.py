from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "mantelzorg.assessment"
    label = "assessment"
