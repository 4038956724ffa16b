"""API routing and versioning only; each app's routes live in its api_urls.py, its endpoints in
its api.py."""

from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView

from mantelzorg.api import views
from mantelzorg.assessment import api_urls as assessment
from mantelzorg.declaration import api_urls as declaration
from mantelzorg.network import api_urls as network
from mantelzorg.respite import api_urls as respite

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The same document in JSON (application/json): the HSDS base object's openapi_url.
    path(
        "schema.json", SpectacularAPIView.as_view(renderer_classes=[OpenApiJsonRenderer2]), name="schema-json"
    ),
    path("docs/", views.docs, name="docs"),
    path("", include("mantelzorg.core.api_urls")),
    path("", include(assessment.v1)),
    path("", include(network.v1)),
    path("", include(declaration.v1)),
    path("", include(respite.v1)),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("", include("mantelzorg.directory.api_urls")),
    path("", include("mantelzorg.assessment.api_urls")),
    path("", include("mantelzorg.network.api_urls")),
]
