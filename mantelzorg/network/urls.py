"""Pages of the care network under /netwerk/ (Dutch paths). Each section's routes beside its views."""

from django.urls import path

from . import views

app_name = "network"

# The network and its members
urlpatterns = [
    path("", views.network_list, name="list"),
    path("nieuw/", views.network_create, name="create"),
    path("uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path("<uuid:network_id>/", views.network_home, name="home"),
    path("<uuid:network_id>/leden/", views.members, name="members"),
    path("<uuid:network_id>/leden/uitnodigen/", views.invite, name="invite"),
    path(
        "<uuid:network_id>/leden/uitnodiging/<uuid:invitation_id>/intrekken/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<uuid:network_id>/leden/<int:member_id>/", views.member_edit, name="member_edit"),
    path("<uuid:network_id>/leden/<int:member_id>/verwijderen/", views.member_remove, name="member_remove"),
    path("<uuid:network_id>/verlaten/", views.leave, name="leave"),
    path("<uuid:network_id>/instellingen/", views.network_settings, name="settings"),
    path("<uuid:network_id>/mijn-instellingen/", views.my_settings, name="my_settings"),
    path("<uuid:network_id>/dagboek/", views.diary, name="diary"),
]

# Agenda
urlpatterns += [
    path("<uuid:network_id>/agenda/", views.agenda, name="agenda"),
    path("<uuid:network_id>/agenda/nieuw/", views.appointment_new, name="appointment_new"),
    path("<uuid:network_id>/agenda/<uuid:appointment_id>/", views.appointment, name="appointment"),
    path(
        "<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/",
        views.appointment_edit,
        name="appointment_edit",
    ),
    path(
        "<uuid:network_id>/agenda/<uuid:appointment_id>/afzeggen/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "<uuid:network_id>/agenda/<uuid:appointment_id>/verwijderen/",
        views.appointment_delete,
        name="appointment_delete",
    ),
]

# Tasks
urlpatterns += [
    path("<uuid:network_id>/taken/", views.tasks, name="tasks"),
    path("<uuid:network_id>/taken/nieuw/", views.task_new, name="task_new"),
    path("<uuid:network_id>/taken/nieuw-herhalend/", views.activity_new, name="activity_new"),
    path("<uuid:network_id>/taken/reeks/<uuid:activity_id>/", views.activity_edit, name="activity_edit"),
    path(
        "<uuid:network_id>/taken/reeks/<uuid:activity_id>/stoppen/",
        views.activity_cancel,
        name="activity_cancel",
    ),
    path("<uuid:network_id>/taken/<uuid:task_id>/", views.task, name="task"),
    path("<uuid:network_id>/taken/<uuid:task_id>/wijzigen/", views.task_edit, name="task_edit"),
    path("<uuid:network_id>/taken/<uuid:task_id>/<slug:action>/", views.task_action, name="task_action"),
    path("<uuid:network_id>/verdeling/", views.load, name="load"),
]

# Calendar feed
urlpatterns += [
    path("<uuid:network_id>/agenda-abonnement/", views.feed, name="feed"),
    path("<uuid:network_id>/agenda-abonnement/vernieuwen/", views.feed_renew, name="feed_renew"),
    path("<uuid:network_id>/agenda-abonnement/intrekken/", views.feed_revoke, name="feed_revoke"),
    path("agenda/<str:token>.ics", views.feed_ics, name="feed_ics"),
]
