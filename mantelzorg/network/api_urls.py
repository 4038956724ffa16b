"""Care network API routes; included by mantelzorg.api.urls (namespace "api"): ``v1`` under
/api/v1/, ``urlpatterns`` (the FHIR R4 CareTeam) under /api/."""

from django.urls import path

from mantelzorg.core.idempotency import idempotent

from . import api

v1 = [
    path("networks/", api.NetworkListView.as_view(), name="network-list"),
    path(
        "networks/<uuid:network_id>/appointments/",
        api.NetworkAppointmentsView.as_view(),
        name="network-appointments",
    ),
    path("networks/<uuid:network_id>/tasks/", api.NetworkTasksView.as_view(), name="network-tasks"),
    path("tasks/<uuid:task_id>/claim/", idempotent(api.TaskClaimView.as_view()), name="task-claim"),
]
urlpatterns = [
    path("fhir/CareTeam/<uuid:network_id>", api.CareTeamView.as_view(), name="fhir-careteam"),
]
