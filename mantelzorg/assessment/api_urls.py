"""Balanscheck API v1; included by mantelzorg.api.urls under /api/v1/ (namespace "api")."""

from django.urls import path

from . import api

urlpatterns = [
    path("checks/", api.CheckCreateView.as_view(), name="check-create"),
    path("checks/<uuid:check_id>/fhir", api.CheckFHIRView.as_view(), name="check-fhir"),
]
