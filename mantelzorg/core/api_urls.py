"""Reference data API routes (postcodes, gemeenten); included by mantelzorg.api.urls under /api/v1/
(namespace "api")."""

from django.urls import path

from . import api

urlpatterns = [
    path("postcodes/<str:postcode>/", api.PostcodeView.as_view(), name="postcode"),
    path("municipalities/", api.MunicipalityListView.as_view(), name="municipality-list"),
]
