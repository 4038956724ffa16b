"""Respite API routes; included by mantelzorg.api.urls (namespace "api") under /api/v1/. Every POST
is idempotent per ``Idempotency-Key`` (core/idempotency.py): the request and the confirm above all."""

from django.urls import path

from mantelzorg.core.idempotency import idempotent

from . import api

STAY = "respite/stays/<uuid:stay_id>/"

v1 = [
    path("respite/availability/", api.AvailabilityView.as_view(), name="respite-availability"),
    path("respite/stays/", idempotent(api.StayRequestView.as_view()), name="respite-stays"),
    path(STAY, api.StayDetailView.as_view(), name="respite-stay"),
    path(STAY + "confirm/", idempotent(api.StayConfirmView.as_view()), name="respite-stay-confirm"),
    path(STAY + "decline/", idempotent(api.StayDeclineView.as_view()), name="respite-stay-decline"),
    path(STAY + "cancel/", idempotent(api.StayCancelView.as_view()), name="respite-stay-cancel"),
    path(STAY + "accept/", idempotent(api.StayAcceptView.as_view()), name="respite-stay-accept"),
]
