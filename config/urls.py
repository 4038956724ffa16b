from django.contrib import admin
from django.urls import include, path

from mantelzorg.accounts.views import admin_login
from mantelzorg.core import views as core_views

admin.site.login = admin_login
admin.site.site_header = "Mantelzorg"

handler400 = "mantelzorg.core.views.error_400"
handler404 = "mantelzorg.core.views.error_404"
handler500 = "mantelzorg.core.views.error_500"

# "api/" first: its requests then skip the ~15 page patterns below (no path of those starts with
# "api/"), and a page request pays one failed prefix test.
urlpatterns = [
    path("api/", include("mantelzorg.api.urls")),
    path("", include("mantelzorg.core.urls")),
    path("", include("mantelzorg.directory.urls")),
    path("balanscheck/", include("mantelzorg.assessment.urls")),
    path("account/", include("mantelzorg.accounts.urls")),
    path("netwerk/", include("mantelzorg.network.urls")),
    path("verklaring/", include("mantelzorg.declaration.urls")),
    path("logeerzorg/", include("mantelzorg.respite.urls")),
    path("beheer/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("_floor", core_views.floor, name="floor"),
]
