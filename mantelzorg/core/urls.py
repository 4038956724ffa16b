from django.conf import settings
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("taal/<str:code>/", views.set_language, name="set_language"),
    # Browsers and tools that ask for /favicon.ico get our SVG icon (pages link it with rel="icon").
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
]
