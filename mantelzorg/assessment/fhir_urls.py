"""FHIR R4 endpoints of the Balanscheck; included by mantelzorg.api.urls under /api/ (namespace "api")."""

from django.urls import path

from . import api

urlpatterns = [
    path("fhir/Questionnaire", api.QuestionnaireListView.as_view(), name="fhir-questionnaire-list"),
    path(
        "fhir/Questionnaire/<slug:questionnaire_id>",
        api.QuestionnaireDetailView.as_view(),
        name="fhir-questionnaire-detail",
    ),
]
