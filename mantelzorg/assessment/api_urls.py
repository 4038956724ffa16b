"""Balanscheck API routes; included by mantelzorg.api.urls (namespace "api"): ``v1`` under
/api/v1/, ``urlpatterns`` (the FHIR R4 endpoints) under /api/."""

from django.urls import path

from . import api

v1 = [
    path("checks/", api.CheckCreateView.as_view(), name="check-create"),
    path("checks/<uuid:check_id>/fhir", api.CheckFHIRView.as_view(), name="check-fhir"),
]
urlpatterns = [
    path("fhir/Questionnaire", api.QuestionnaireListView.as_view(), name="fhir-questionnaire-list"),
    path(
        "fhir/Questionnaire/<slug:questionnaire_id>",
        api.QuestionnaireDetailView.as_view(),
        name="fhir-questionnaire-detail",
    ),
]
