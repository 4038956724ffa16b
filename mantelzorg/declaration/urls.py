"""The relying party's pages under /verklaring/ (Dutch paths). The caregiver's pages come later."""

from django.urls import path

from . import views

app_name = "declaration"

urlpatterns = [
    path("controleren/", views.verify_page, name="verify"),
    path("sleutels.json", views.keys_jwks, name="keys-jwks"),
    path("sleutels.cbor", views.keys_cose, name="keys-cose"),
    path("organisaties.json", views.organisations, name="organisations"),
    # The uri a code names (the token's sub) and the same token with its file extension.
    path("status/<int:list_id>", views.status_token, name="status"),
    path("status/<int:list_id>.cwt", views.status_token, name="status-cwt"),
]
