"""The pages under /verklaring/ (Dutch paths): the caregiver's, the issuer's queue, and the
relying party's verifier page, registration and trust material."""

from django.urls import path

from . import views

app_name = "declaration"

urlpatterns = [
    path("", views.home, name="home"),
    path("nieuw/", views.declaration_new, name="new"),
    path("<uuid:declaration_id>/", views.declaration_detail, name="detail"),
    path("<uuid:declaration_id>/indienen/", views.declaration_submit, name="submit"),
    path("<uuid:declaration_id>/aanvraag-terugnemen/", views.declaration_withdraw, name="withdraw"),
    path("<uuid:declaration_id>/antwoorden/", views.declaration_answer, name="answer"),
    path("<uuid:declaration_id>/intrekken/", views.declaration_revoke, name="revoke"),
    path("<uuid:declaration_id>/verlengen/", views.declaration_renew, name="renew"),
    path("<uuid:declaration_id>/voor/<slug:purpose>/", views.purpose_page, name="purpose"),
    path("<uuid:declaration_id>/voor/<slug:purpose>/qr/", views.attestation_qr, name="qr"),
    path("<uuid:declaration_id>/voor/<slug:purpose>/qr.pdf", views.attestation_pdf, name="qr-pdf"),
    path("<uuid:declaration_id>/voor/<slug:purpose>/intrekken/", views.attestation_revoke, name="qr-revoke"),
    path("beoordelen/", views.review_queue, name="review-queue"),
    path("beoordelen/<uuid:declaration_id>/", views.review_detail, name="review"),
    path("controleren/", views.verify_page, name="verify"),
    path("controleren/aanmelden/", views.relying_party_register, name="register"),
    path("controleren/sw.js", views.service_worker, name="service-worker"),
    path("sleutels.json", views.keys_jwks, name="keys-jwks"),
    path("sleutels.cbor", views.keys_cose, name="keys-cose"),
    path("organisaties.json", views.organisations, name="organisations"),
    # The uri a code names (the token's sub) and the same token with its file extension.
    path("status/<int:list_id>", views.status_token, name="status"),
    path("status/<int:list_id>.cwt", views.status_token, name="status-cwt"),
]
