"""Django's password validators with messages of our own (in our catalogue).

Why: Django 5.2 changed the msgid of ``MinimumLengthValidator`` ("…at least %d characters.",
was "%(min_length)d"), and its Dutch catalogue still translates only the old msgid, so the
Dutch sign-up page said "This password is too short. It must contain at least 12 characters."
Django's nl texts for the other two are stiff as well ("lijkt te veel op de e-mailadres").
The rules themselves stay Django's; only the words are ours, and a test
(accounts/tests/test_forms.py) checks that every message is Dutch in the Dutch UI.
"""

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. Use at least %(min_length)d character.",
            "This password is too short. Use at least %(min_length)d characters.",
            self.min_length,
        )

    def get_help_text(self):
        return ngettext(
            "Use at least %(min_length)d character.",
            "Use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("This password looks too much like your %(verbose_name)s. Choose another password.")

    def get_help_text(self):
        return _("Do not use your name or e-mail address in your password.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Many people use this password, so it is easy to guess. Choose another password.")

    def get_help_text(self):
        return _("Do not use a password that many people use.")
