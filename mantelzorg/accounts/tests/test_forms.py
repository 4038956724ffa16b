"""Account forms speak the caregiver's language: Dutch password rules, messages that say what to
do, an error summary that links to the fields, and no promise the site cannot keep."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from mantelzorg.accounts.models import User

from .test_login import LOGIN, MFA, current_code

SIGNUP = "/account/aanmelden/"
RESET = "/account/wachtwoord-vergeten/"

# A password each validator of AUTH_PASSWORD_VALIDATORS refuses.
REFUSED = {
    "MinimumLengthValidator": "kort",
    "StrengthValidator": "password1234",
    "UserAttributeSimilarityValidator": "anna.devries@example.nl",
}


def messages_in(language, password):
    with translation.override(language):
        try:
            password_validation.validate_password(password, User(email="anna.devries@example.nl"))
        except ValidationError as error:
            return error.messages
    return []


def test_every_password_validator_has_a_password_it_refuses():
    names = {v.__class__.__name__ for v in password_validation.get_default_password_validators()}
    assert names == set(REFUSED)


@pytest.mark.parametrize("validator", sorted(REFUSED))
def test_password_rules_are_dutch_in_the_dutch_ui(validator):
    """Django 5.2 changed the msgid of the length rule and its Dutch catalogue did not follow:
    each message must differ from its English text (so: translated)."""
    dutch, english = messages_in("nl", REFUSED[validator]), messages_in("en", REFUSED[validator])
    assert dutch and english
    assert set(dutch).isdisjoint(english), dutch


def test_signup_with_a_short_password_says_so_in_dutch(client, db):
    response = client.post(SIGNUP, {"email": "new@example.org", "password": "kort maar"})
    html = response.content.decode()
    assert "Dit wachtwoord is te kort. Gebruik minstens 12 tekens." in html
    assert "too short" not in html


def test_signup_help_says_what_a_password_needs_once(client, db):
    html = client.get(SIGNUP).content.decode()
    assert "Minstens 12 tekens." in html
    assert html.count("niet verplicht") == 1  # the label says it; the description does not repeat it


def form_errors(html):
    """The messages beside the fields and the summary's entries (link target, text)."""
    beside = re.findall(
        r'class="utrecht-form-field-error-message[^"]*" id="([^"]+)_error"><p class="utrecht-paragraph">([^<]+)</p>',
        html,
    )
    summary = html[
        html.index('class="mz-error-summary"') : html.index("</div>", html.index('class="mz-error-summary"'))
    ]
    return dict(beside), re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.mark.parametrize(
    ("url", "data", "expected"),
    [
        (LOGIN, {}, {"id_email": "Vul je e-mailadres in.", "id_password": "Vul je wachtwoord in."}),
        (
            LOGIN,
            {"email": "anna@", "password": "x"},
            {"id_email": "Vul een e-mailadres in zoals naam@voorbeeld.nl."},
        ),
        (SIGNUP, {}, {"id_email": "Vul je e-mailadres in.", "id_password": "Kies een wachtwoord."}),
        (RESET, {}, {"id_email": "Vul je e-mailadres in."}),
        (RESET, {"email": "geen adres"}, {"id_email": "Vul een e-mailadres in zoals naam@voorbeeld.nl."}),
    ],
)
def test_empty_or_wrong_fields_get_a_specific_message_and_a_summary(client, db, url, data, expected):
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dit veld is vereist" not in html and "geldig e-mailadres" not in html
    beside, summary = form_errors(html)
    assert beside == {field: text for field, text in expected.items()}
    assert summary == list(expected.items())  # each message once, linked to its field
    assert re.search(r'<div class="mz-error-summary" role="alert" tabindex="-1" autofocus', html)
    assert re.search(r"<title>Fout: [^<]+</title>", html)


def test_pages_without_errors_have_no_summary_and_no_error_title(client, db):
    for url in (LOGIN, SIGNUP, RESET):
        html = client.get(url).content.decode()
        assert "mz-error-summary" not in html
        assert "<title>Fout" not in html


def test_wrong_password_summary_says_so_without_a_field_link(client, cast):
    html = client.post(LOGIN, {"email": cast.caregiver.email, "password": "not the one"}).content.decode()
    assert "<li>Het e-mailadres of het wachtwoord klopt niet.</li>" in html


def test_english_ui_gets_english_messages(client, db):
    client.get("/taal/en/")
    html = client.post(LOGIN, {}).content.decode()
    assert "Fill in your e-mail address." in html
    assert re.search(r"<title>Error: Log in", html)


def _pending_mfa(client, cast):
    client.post(LOGIN, {"email": cast.staff.email, "password": cast.password})


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "Vul de code van zes cijfers uit je app in."),
        ("12ab56", "De code bestaat uit zes cijfers."),
        ("123", "De code bestaat uit zes cijfers."),
    ],
)
def test_mfa_code_messages_say_what_to_do(client, cast, token, message):
    _pending_mfa(client, cast)
    html = client.post(MFA, {"token": token}).content.decode()
    beside, summary = form_errors(html)
    assert beside == {"id_token": message}
    assert summary == [("id_token", message)]


def test_mfa_code_may_be_typed_with_a_space(client, cast):
    _pending_mfa(client, cast)
    code = current_code(cast.staff)
    response = client.post(MFA, {"token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.staff.pk)


def test_new_password_form_messages_are_specific(client, cast):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(cast.caregiver.pk))
    token = default_token_generator.make_token(cast.caregiver)
    url = client.get(f"/account/wachtwoord-nieuw/{uid}/{token}/", follow=True).redirect_chain[-1][0]
    html = client.post(url, {}).content.decode()
    beside, _ = form_errors(html)
    assert beside == {
        "id_new_password1": "Kies een nieuw wachtwoord.",
        "id_new_password2": "Typ je nieuwe wachtwoord nog een keer.",
    }
    html = client.post(
        url, {"new_password1": "een lange zin om te onthouden", "new_password2": "een andere lange zin"}
    ).content.decode()
    beside, _ = form_errors(html)
    assert beside == {
        "id_new_password2": "De twee wachtwoorden zijn niet hetzelfde. Typ twee keer hetzelfde wachtwoord."
    }
    html = client.post(url, {"new_password1": "kort", "new_password2": "kort"}).content.decode()
    assert "Dit wachtwoord is te kort. Gebruik minstens 12 tekens." in html
