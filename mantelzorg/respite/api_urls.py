"""Respite API routes; included by mantelzorg.api.urls (namespace "api") under /api/v1/."""

from django.urls import path

from . import api

v1 = [
    path("respite/availability/", api.AvailabilityView.as_view(), name="respite-availability"),
]
