"""API routing and versioning only; endpoints live in each app's api.py."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from mantelzorg.api import views
from mantelzorg.core import api as core_api

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("postcodes/<str:postcode>/", core_api.PostcodeView.as_view(), name="postcode"),
    path("municipalities/", core_api.MunicipalityListView.as_view(), name="municipality-list"),
    path("", include("mantelzorg.assessment.api_urls")),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("", include("mantelzorg.directory.api_urls")),
    path("", include("mantelzorg.assessment.fhir_urls")),
]
