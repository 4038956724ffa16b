"""The pages under /logeerzorg/ (Dutch paths)."""

from . import overview, units

app_name = "respite"

urlpatterns: list = []
urlpatterns += units.patterns + overview.patterns
