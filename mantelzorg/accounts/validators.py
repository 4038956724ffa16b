"""Django's password validators with messages of our own (in our catalogue).

Why: Django 5.2 changed the msgid of ``MinimumLengthValidator`` ("…at least %d characters.",
was "%(min_length)d"), and its Dutch catalogue still translates only the old msgid, so the
Dutch sign-up page said "This password is too short. It must contain at least 12 characters."
Django's nl texts for the other two are stiff as well ("lijkt te veel op de e-mailadres").
The rules themselves stay Django's; only the words are ours, and a test
(accounts/tests/test_forms.py) checks that every message is Dutch in the Dutch UI.
"""

import functools
import gzip
import re
from pathlib import Path

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

ZXCVBN_MAX_LENGTH = 72  # zxcvbn's own default max_length


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


# Django's 20,000 common passwords, Dutch favourites with the endings people add, and Dutch words
# (OpenTaal): mantelzorg/accounts/data/README.md says where each comes from and under which licence.
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
ADVICE = gettext_lazy(
    "Use a few words that belong together only for you, like a short sentence about something you remember."
)


@functools.cache
def _zxcvbn():
    """zxcvbn, which also knows our list (Dutch words among them), loaded once per process."""
    from zxcvbn import zxcvbn
    from zxcvbn.matching import add_frequency_lists

    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        add_frequency_lists({"mantelzorg": [line.strip() for line in f if line.strip()]})
    return zxcvbn


def _reason(sequence) -> str:
    """Why zxcvbn guesses it quickly, in our words: the pattern of its weakest part."""
    patterns = [match.get("pattern") for match in sequence if match.get("pattern") != "bruteforce"]
    if "repeat" in patterns:
        return _("It repeats the same characters.")
    if "sequence" in patterns:
        return _("It contains a row such as 1234 or abcd.")
    if "spatial" in patterns:
        return _("It contains keys that are next to each other on the keyboard.")
    if "date" in patterns or "regex" in patterns:
        return _("It contains a date or a year.")
    if "dictionary" in patterns:
        return _("It is a word or password many people use, with only a few characters added.")
    return _("A computer can guess it quickly.")


class StrengthValidator:
    """Refused: a password on our list (``COMMON_PASSWORDS``, Django's own list in it), then one
    that zxcvbn (Dropbox's estimator, maintained on PyPI) guesses in fewer than 10^8 tries
    (``min_score`` 3). One message, with what to do instead. No composition rules."""

    def __init__(self, min_score: int = 3, min_length: int = 12):
        # Not Django's __init__: the list is kept once, as zxcvbn's ranked dictionary (62 -> 38 MiB
        # per process, loaded at the first password checked).
        self.min_score = min_score
        self.min_length = min_length  # a shorter one gets the length rule's message alone

    @property
    def passwords(self):
        from zxcvbn.matching import RANKED_DICTIONARIES

        _zxcvbn()
        return RANKED_DICTIONARIES["mantelzorg"]

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            return
        if password.lower().strip() in self.passwords:
            raise ValidationError(
                "%(reason)s %(advice)s",
                code="password_too_common",
                params={"reason": self.get_error_message(), "advice": ADVICE},
            )
        inputs = [value for value in (getattr(user, "email", ""), getattr(user, "name", "")) if value]
        inputs += [part for value in inputs for part in re.split(r"[@.\s_-]+", value) if len(part) > 2]
        # zxcvbn refuses more than 72 characters (its matching grows quadratically): the first 72
        # are estimated, so a long password made of one repeated pattern is still refused.
        result = _zxcvbn()(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs)
        if result["score"] < self.min_score:
            raise ValidationError(
                _("This password is easy to guess. %(reason)s %(advice)s"),
                code="password_too_weak",
                params={"reason": _reason(result["sequence"]), "advice": ADVICE},
            )

    def get_help_text(self):
        return str(ADVICE)

    def get_error_message(self):
        return _("Many people use this password, so it is easy to guess.")
