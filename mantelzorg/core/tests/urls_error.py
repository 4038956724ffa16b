"""The project's URLs plus one that fails, so a browser test can see the real 500 page."""

from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


urlpatterns = [*project_urlpatterns, path("_test/fout/", fail), path("api/_test/fout/", fail)]
