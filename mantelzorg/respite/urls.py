"""The pages under /logeerzorg/ (Dutch paths): the caregiver's and requester's, then the provider's
decisions, the provider's units (units.py) and the regional overview (overview.py)."""

from django.urls import path

from . import overview, units, views

app_name = "respite"

urlpatterns = [
    path("", views.start, name="start"),
    path("zoeken/", views.results, name="results"),
    path("huis/<uuid:service_id>/aanvragen/", views.stay_new, name="request"),
    path("aanvragen/<uuid:stay_id>/", views.stay_detail, name="stay"),
    path("aanvragen/<uuid:stay_id>/annuleren/", views.stay_cancel, name="stay-cancel"),
    path("aanvragen/<uuid:stay_id>/accepteren/", views.offer_accept, name="offer-accept"),
    path("wachtlijst/", views.waiting_join, name="waiting-join"),
    path("wachtlijst/<uuid:entry_id>/afmelden/", views.waiting_withdraw, name="waiting-withdraw"),
]

# The provider's decisions
urlpatterns += [
    path("aanbieder/", views.inbox, name="inbox"),
    path("aanbieder/<uuid:stay_id>/", views.provider_stay, name="provider-stay"),
    path("aanbieder/<uuid:stay_id>/bevestigen/", views.provider_confirm, name="provider-confirm"),
    path("aanbieder/<uuid:stay_id>/afwijzen/", views.provider_decline, name="provider-decline"),
    path("aanbieder/<uuid:stay_id>/annuleren/", views.provider_cancel, name="provider-cancel"),
]

# The provider's units, the regional overview and a request in the region (coordinators, read only)
urlpatterns += units.patterns + overview.patterns
urlpatterns += [path("regio/aanvragen/<uuid:stay_id>/", views.region_stay, name="region-stay")]
