from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("sociale-kaart/", views.search, name="search"),
    path("sociale-kaart/aanbod/<uuid:service_id>/", views.service_detail, name="service_detail"),
    path("sociale-kaart/beheer/", views.manage, name="manage"),
    path("sociale-kaart/beheer/aanbod/nieuw/", views.service_new, name="service_new"),
    path("sociale-kaart/beheer/aanbod/<uuid:service_id>/", views.service_edit, name="service_edit"),
    path(
        "sociale-kaart/beheer/aanbod/<uuid:service_id>/verwijderen/",
        views.service_withdraw,
        name="service_withdraw",
    ),
    path("sociale-kaart/beheer/hsds/", views.hsds_admin, name="hsds-admin"),
    path("sociale-kaart/beheer/hsds/export/<str:fmt>/", views.hsds_download, name="hsds-download"),
    path("steunpunten/", views.support_centres, name="support_centres"),
    path("gemeenten/<str:code>/respijtzorg/", views.respite_menu, name="respite_menu"),
    path("gemeenten/<str:code>/respijtzorg.pdf", views.respite_menu_pdf, name="respite_menu_pdf"),
    path("gemeenten/<str:code>/respijtzorg/bewerken/", views.respite_menu_edit, name="respite_menu_edit"),
]
