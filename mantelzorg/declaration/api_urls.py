"""Declaration API routes; included by mantelzorg.api.urls (namespace "api") under /api/v1/."""

from django.urls import path

from . import api

v1 = [
    path("declarations/verify/", api.VerifyView.as_view(), name="declaration-verify"),
]
