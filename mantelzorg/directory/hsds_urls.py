"""Admin pages for HSDS import/export. Include inside the directory URLconf (namespace
"directory"), e.g. ``path("sociale-kaart/beheer/hsds/", include("mantelzorg.directory.hsds_urls"))``."""

from django.urls import path

from . import hsds_views

urlpatterns = [
    path("", hsds_views.hsds_admin, name="hsds-admin"),
    path("export/<str:fmt>/", hsds_views.hsds_download, name="hsds-download"),
]
