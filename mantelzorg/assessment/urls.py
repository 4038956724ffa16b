from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.start, name="start"),
    path("stap/<int:number>/", views.step, name="step"),
    path("opnieuw/", views.reset, name="reset"),
    path("uitslag/", views.result, name="result"),
    path("uitslag/afdrukken/", views.result_print, name="result_print"),
    path("uitslag/pdf/", views.result_pdf, name="result_pdf"),
    path("uitslag/bijdragen/", views.contribute, name="contribute"),
    path("uitslag/postcode/", views.result_postcode, name="result_postcode"),
    path("bewaren/", views.save, name="save"),
    path("link/<str:token>/", views.magic_link, name="magic_link"),
    path("mijn/", views.history, name="history"),
    path("mijn/herinnering/", views.reminder, name="reminder"),
    path("mijn/<uuid:check_id>/", views.check_detail, name="check_detail"),
    path("mijn/<uuid:check_id>/pdf/", views.check_pdf, name="check_pdf"),
    path("mijn/<uuid:check_id>/verwijderen/", views.check_delete, name="check_delete"),
    path("carerqol/", views.questionnaire, name="carerqol"),
    path("vragenlijst/<slug:questionnaire_id>/", views.questionnaire, name="questionnaire"),
    path(
        "vragenlijst/<slug:questionnaire_id>/uitslag/",
        views.questionnaire_result,
        name="questionnaire_result",
    ),
    path("gemeente/<str:code>/drempels/", views.thresholds_edit, name="thresholds"),
]
