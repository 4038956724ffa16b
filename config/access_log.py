"""No secrets or full postcodes in the server's logs (quality bar 4).

gunicorn writes every request line, query string and referer to its access log next to the client's
IP address. Some of our URLs are secrets: ``/balanscheck/link/<token>/`` opens every check saved under
an e-mail address for 30 days, ``/account/wachtwoord-nieuw/<uidb64>/<token>/`` sets a password,
``/account/aanmelden/bevestigen/<uidb64>/<token>/`` confirms a sign-up and signs in,
``/netwerk/uitnodiging/<token>/`` joins a care network, ``/netwerk/agenda/<token>.ics`` reads its
agenda (a calendar feed); and a
full postcode (``?postcode=3511AB``, ``3511+AB``) beside an IP address points at a street. ``redact``
replaces the path tokens by ``[redacted]``, shortens every full postcode to its four digits, removes
e-mail addresses and the values of secret query parameters; ``RedactingLogger`` (gunicorn's logger
class, set in ``config/gunicorn.conf.py``) applies it to every atom of the access log and to gunicorn's
own error messages; ``RedactingFilter`` does the same for Django's loggers (config/settings.py).

No Django import here: gunicorn's master process loads this module before any application code.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# A path separator as sent ("/") or percent-encoded inside a query string or referer ("%2F").
_SEP = r"(?:/|%2[Ff])"
# One path segment: up to the next separator, query, fragment, space or quote.
_SEGMENT = r"(?:(?!%2[Ff])[^/?#&\s\"'])+"

# Routes whose path carries a secret (every `<token>`, `<uidb64>` route in the urls.py files;
# tests/test_access_log.py fails when a route with such a parameter is not covered here).
TOKEN_ROUTES = [
    # Balanscheck magic link: /balanscheck/link/<token>/
    re.compile(rf"(?P<keep>{_SEP}balanscheck{_SEP}link{_SEP}){_SEGMENT}"),
    # Password reset: /account/wachtwoord-nieuw/<uidb64>/<token>/ (and Django's set-password step)
    re.compile(rf"(?P<keep>{_SEP}account{_SEP}wachtwoord-nieuw{_SEP}){_SEGMENT}(?:{_SEP}{_SEGMENT})?"),
    # Sign-up confirmation (activates the account and signs in): /account/aanmelden/bevestigen/<uidb64>/<token>/
    re.compile(
        rf"(?P<keep>{_SEP}account{_SEP}aanmelden{_SEP}bevestigen{_SEP}){_SEGMENT}(?:{_SEP}{_SEGMENT})?"
    ),
    # Care network invitation (joins the network): /netwerk/uitnodiging/<token>/
    re.compile(rf"(?P<keep>{_SEP}netwerk{_SEP}uitnodiging{_SEP}){_SEGMENT}"),
    # Personal calendar feed (reads the network's agenda): /netwerk/agenda/<token>.ics. The whole
    # segment goes (with or without ".ics": nothing else lives there) but a final ".ics" stays.
    re.compile(
        rf"(?P<keep>{_SEP}netwerk{_SEP}agenda{_SEP})"
        r"(?:(?!\.ics(?:[/?#&\s\"']|%2[Ff]|$))(?!%2[Ff])[^/?#&\s\"'])+"
    ),
]

# A Dutch postcode: four digits (no leading zero) and two letters, with nothing, a space, a "+" or an
# encoded space between them; standing alone (not inside a longer word or number).
POSTCODE = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3})(?:\+|%20|\s)?[A-Za-z]{2}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# Query parameters whose value is a secret wherever they appear.
SECRET_PARAMETER = re.compile(
    r"(?P<keep>(?:^|[?&;]|%3[Ff]|%26)(?:token|uidb64|uid|key|secret|password|otp_token|sessionid|csrfmiddlewaretoken)=)"
    r"[^&;#\s\"']*",
    re.IGNORECASE,
)
# Request headers and environ values that are secrets as a whole (should a log format name them).
SECRET_ATOMS = {"{cookie}i", "{authorization}i", "{http_cookie}e", "{http_authorization}e", "{x-csrftoken}i"}


def _token_route(match: re.Match) -> str:
    segments = len(re.findall(_SEP, match.group(0)[len(match.group("keep")) :]))
    return match.group("keep") + (REDACTED if segments == 0 else f"{REDACTED}/{REDACTED}")


def redact(text: str) -> str:
    """``text`` (a request line, path, query string, referer or log message) without secrets."""
    if not text:
        return text
    for route in TOKEN_ROUTES:
        text = route.sub(_token_route, text)
    text = SECRET_PARAMETER.sub(lambda m: m.group("keep") + REDACTED, text)
    text = EMAIL.sub("[e-mail]", text)
    return POSTCODE.sub(r"\1", text)


class RedactingLogger(Logger):
    """gunicorn's logger, with every access-log atom and error message passed through ``redact``."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, RedactingFilter) for f in self.error_log.filters):
            self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if name in SECRET_ATOMS and value:
                atoms[name] = REDACTED
            elif isinstance(value, str) and name not in {"h", "t"}:
                atoms[name] = redact(value)
        return atoms


class RedactingFilter(logging.Filter):
    """A logging filter: the record's message, formatted, through ``redact`` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record stays as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
