"""HSDS 3.0 API routes; included by mantelzorg.api.urls under /api/ (namespace "api")."""

from django.urls import path

from mantelzorg.core.cache import public

from . import api

urlpatterns = [
    path("hsds/3.0/", api.MetaView.as_view(), name="hsds-meta"),
    path("hsds/3.0/profile/", api.ProfileView.as_view(), name="hsds-profile"),
    path("hsds/3.0/services", public("directory")(api.ServiceListView.as_view()), name="hsds-service-list"),
    path("hsds/3.0/services/<str:id>", api.ServiceDetailView.as_view(), name="hsds-service-detail"),
    path("hsds/3.0/taxonomies", api.TaxonomyListView.as_view(), name="hsds-taxonomy-list"),
    path("hsds/3.0/taxonomies/<str:id>", api.TaxonomyDetailView.as_view(), name="hsds-taxonomy-detail"),
    path("hsds/3.0/taxonomy_terms", api.TaxonomyTermListView.as_view(), name="hsds-term-list"),
    path("hsds/3.0/taxonomy_terms/<str:id>", api.TaxonomyTermDetailView.as_view(), name="hsds-term-detail"),
    path("hsds/3.0/organizations", api.OrganizationListView.as_view(), name="hsds-organization-list"),
    path(
        "hsds/3.0/organizations/<str:id>",
        api.OrganizationDetailView.as_view(),
        name="hsds-organization-detail",
    ),
    path("hsds/3.0/service_at_locations", api.ServiceAtLocationListView.as_view(), name="hsds-sal-list"),
    path(
        "hsds/3.0/service_at_locations/<str:id>",
        api.ServiceAtLocationDetailView.as_view(),
        name="hsds-sal-detail",
    ),
]
