from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login, name="login"),
    path("inloggen/code/", views.login_mfa, name="login_mfa"),
    path("uitloggen/", views.logout, name="logout"),
    path("aanmelden/", views.signup, name="signup"),
    path("aanmelden/bevestigen/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("wachtwoord-vergeten/", views.password_reset, name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", views.password_reset_done, name="password_reset_done"),
    path("wachtwoord-nieuw/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("wachtwoord-nieuw/klaar/", views.password_reset_complete, name="password_reset_complete"),
    path("toestemmingen/", views.consents, name="consents"),
    path("mijn-gegevens/", views.my_data, name="my_data"),
    path("mijn-gegevens/download/", views.my_data_download, name="my_data_download"),
    path("mijn-gegevens/verwijderen/", views.delete, name="delete"),
    path("toestemmingen/<int:consent_id>/intrekken/", views.consent_revoke, name="consent_revoke"),
]
