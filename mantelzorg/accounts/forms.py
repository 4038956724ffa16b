from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User

# Messages that say what to do, in the words of the field (NL Design System: not "Dit veld is vereist.").
EMAIL_MESSAGES = {
    "required": _("Fill in your e-mail address."),
    "invalid": _("Fill in an e-mail address like name@example.nl."),
    "max_length": _("This e-mail address is too long."),
}
NEW_PASSWORD_HELP = _("At least 12 characters. A sentence you can remember works well.")


def email_field(**kwargs):
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages=EMAIL_MESSAGES,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


class LoginForm(forms.Form):
    email = email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Fill in your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits. The code changes every 30 seconds."),
        max_length=7,  # six digits, or "123 456" as some apps show it
        error_messages={
            "required": _("Fill in the code of six digits from your app."),
            "max_length": _("The code has six digits."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if len(token) != 6 or not token.isdigit():
            raise forms.ValidationError(_("The code has six digits."), code="invalid")
        return token


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        help_text=_("We use it only to greet you."),
        error_messages={"max_length": _("Your name is too long. Use at most 150 characters.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=NEW_PASSWORD_HELP,
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Whether the address has an account is not said here (the e-mail says it): the same
        # answer for both, so the form cannot be used to find out who has an account.
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = email_field()


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {
        "password_mismatch": _("The two passwords are not the same. Type the same password twice.")
    }

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=NEW_PASSWORD_HELP,
        error_messages={"required": _("Choose a new password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        help_text=_("Type the same password again, so we know there is no typing error in it."),
        error_messages={"required": _("Type your new password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EraseForm(forms.Form):
    """Erasing an account asks for its password: a deliberate act, by the account's own person."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Fill in your password to confirm.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password
