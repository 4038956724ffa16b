"""The redaction of gunicorn's access log (config/access_log.py): every secret route, postcodes in
every written form, and nothing that operators need is lost."""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.config import Config
from gunicorn.glogging import Logger

from config.access_log import REDACTED, RedactingFilter, RedactingLogger, redact

TOKEN = "0f6c2a9e-5d1b-4f7a-9c3e-2b8d7e6f5a41.9a8b7c6d5e4f3a2b1c0d9e8f:1vQxYz:Ab-cD_ef12GhIjKlMnOpQrStUvWxYz0123456789"


@pytest.mark.parametrize(
    "raw,expected",
    [
        (f"/balanscheck/link/{TOKEN}/", "/balanscheck/link/[redacted]/"),
        (f"GET /balanscheck/link/{TOKEN}/ HTTP/1.1", "GET /balanscheck/link/[redacted]/ HTTP/1.1"),
        (
            "/account/wachtwoord-nieuw/MTIz/cz9k2a-8f1e2d3c4b5a6978/",
            "/account/wachtwoord-nieuw/[redacted]/[redacted]/",
        ),
        ("/account/wachtwoord-nieuw/MTIz/set-password/", "/account/wachtwoord-nieuw/[redacted]/[redacted]/"),
        (
            "/account/aanmelden/bevestigen/MTIz/cz9k2a-8f1e2d3c/",
            "/account/aanmelden/bevestigen/[redacted]/[redacted]/",
        ),
        # the care network's invitation link and personal calendar feed (the ".ics" stays)
        ("/netwerk/uitnodiging/Xk3_9-aBcD/", "/netwerk/uitnodiging/[redacted]/"),
        (
            "GET /netwerk/agenda/Xk3_9-aBcDeF.ics?alarm=30 HTTP/1.1",
            "GET /netwerk/agenda/[redacted].ics?alarm=30 HTTP/1.1",
        ),
        ("/netwerk/agenda/Xk3_9-aBcDeF", "/netwerk/agenda/[redacted]"),
        (
            "/account/inloggen/?next=%2Fnetwerk%2Fagenda%2FXk3_9-aBcD.ics",
            "/account/inloggen/?next=%2Fnetwerk%2Fagenda%2F[redacted].ics",
        ),
        (
            "webcal://127.0.0.1:8000/netwerk/agenda/Xk3_9.ics",
            "webcal://127.0.0.1:8000/netwerk/agenda/[redacted].ics",
        ),
        # as a referer, and inside a query string (percent-encoded)
        (
            f"http://127.0.0.1:8000/balanscheck/link/{TOKEN}/",
            "http://127.0.0.1:8000/balanscheck/link/[redacted]/",
        ),
        (
            f"/account/inloggen/?next=%2Fbalanscheck%2Flink%2F{TOKEN}%2F",
            "/account/inloggen/?next=%2Fbalanscheck%2Flink%2F[redacted]%2F",
        ),
        # full postcodes in every written form: to their four digits
        ("/sociale-kaart/?postcode=3511AB", "/sociale-kaart/?postcode=3511"),
        ("/sociale-kaart/?postcode=3511+AB&radius=10", "/sociale-kaart/?postcode=3511&radius=10"),
        ("/sociale-kaart/?postcode=3511%20ab", "/sociale-kaart/?postcode=3511"),
        ("postcode=3511 AB", "postcode=3511"),
        ("/api/v1/postcodes/1012AB/", "/api/v1/postcodes/1012/"),
        ("/sociale-kaart/?q=zorg&postcode=9999zz", "/sociale-kaart/?q=zorg&postcode=9999"),
        # secret parameters and e-mail addresses
        ("/x/?token=abc123&page=2", f"/x/?token={REDACTED}&page=2"),
        ("/x/?email=alice%40example.org", "/x/?email=[e-mail]"),
        ("/x/?email=alice@example.org&a=1", "/x/?email=[e-mail]&a=1"),
    ],
)
def test_redact(raw, expected):
    assert redact(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "/sociale-kaart/?postcode=3511&radius=10",  # four digits are kept: that is the point
        "/balanscheck/mijn/0f6c2a9e-5d1b-4f7a-9c3e-2b8d7e6f5a41/",
        "/api/v1/checks/",
        "/netwerk/0f6c2a9e-5d1b-4f7a-9c3e-2b8d7e6f5a41/agenda/?week=2026-W10",
        "/netwerk/0f6c2a9e-5d1b-4f7a-9c3e-2b8d7e6f5a41/agenda-abonnement/",
        "/gemeenten/GM0363/respijtzorg/",
        "/api/hsds/3.0/services/1a2b3c4d-0000-4000-8000-1234abcd5678",
        "GET /static/app.3f2a1b.css HTTP/1.1",
        "-",
        "",
    ],
)
def test_what_operators_need_is_left_alone(kept):
    assert redact(kept) == kept


SECRET_PARAMETER_NAMES = re.compile(r"token|uid|key|secret|password", re.IGNORECASE)


def _routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_route_with_a_secret_in_its_path_is_redacted():
    """A route added with a `<token>`-like parameter fails here until config/access_log.py covers it."""
    secret_routes = []
    for route in _routes(get_resolver()):
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not any(SECRET_PARAMETER_NAMES.search(name) for name in names):
            continue
        secret_routes.append(route)
        sample = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: f"S3cr3t{m.group(1)}Value", route).lstrip("^")
        cleaned = redact(f"GET {sample}?a=1 HTTP/1.1")
        assert "S3cr3t" not in cleaned, (route, cleaned)
    assert len(secret_routes) >= 2, secret_routes  # the magic link and the password reset at least


class _Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html")]


def _environ(path, query, referer):
    return {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + ("?" + query if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "test",
        "HTTP_COOKIE": "sessionid=abcdef123456",
    }


def _atoms(logger_class, environ):
    logger = logger_class(Config())
    headers = [("REFERER", environ["HTTP_REFERER"]), ("COOKIE", environ["HTTP_COOKIE"])]
    return logger.atoms(
        _Response(), type("Req", (), {"headers": headers})(), environ, datetime.timedelta(0, 0, 1500)
    )


def test_the_logger_redacts_request_line_path_query_referer_and_header_atoms():
    environ = _environ(
        f"/balanscheck/link/{TOKEN}/", "postcode=3511+AB", "http://h/sociale-kaart/?postcode=1012AB"
    )
    raw = _atoms(Logger, environ)
    redacted = _atoms(RedactingLogger, environ)
    # gunicorn's own logger writes all of them as they came
    assert TOKEN in raw["r"] and "3511+AB" in raw["r"] and "1012AB" in raw["f"]
    assert redacted["r"] == "GET /balanscheck/link/[redacted]/?postcode=3511 HTTP/1.1"
    assert redacted["U"] == "/balanscheck/link/[redacted]/"
    assert redacted["q"] == "postcode=3511"
    assert redacted["f"] == "http://h/sociale-kaart/?postcode=1012"
    assert redacted["{referer}i"] == "http://h/sociale-kaart/?postcode=1012"
    assert redacted["{raw_uri}e"] == "/balanscheck/link/[redacted]/?postcode=3511"
    assert redacted["{cookie}i"] == REDACTED and redacted["{http_cookie}e"] == REDACTED
    assert redacted["h"] == "203.0.113.7" and redacted["s"] == "200" and redacted["D"] == 1500
    assert all(TOKEN not in str(value) for value in redacted.values())


def test_the_filter_redacts_formatted_messages():
    import logging

    record = logging.LogRecord(
        "gunicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Error handling request %s",
        (f"/balanscheck/link/{TOKEN}/",),
        None,
    )
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "Error handling request /balanscheck/link/[redacted]/"


def test_every_server_the_project_starts_uses_the_config():
    from django.conf import settings

    root = settings.BASE_DIR
    makefile = (root / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi:application" in run_recipe
    for script in ("bench/run.py", "bench/durability.py"):
        assert '"config/gunicorn.conf.py"' in (root / script).read_text(), script
    assert (
        'logger_class = "config.access_log.RedactingLogger"' in (root / "config/gunicorn.conf.py").read_text()
    )


def test_djangos_log_output_is_redacted_too():
    import logging

    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)
    ]
    assert handlers, "the console handler of config/settings.py LOGGING has the redacting filter"
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (f"/balanscheck/link/{TOKEN}/",),
        None,
    )
    assert handlers[0].filter(record)
    assert TOKEN not in handlers[0].format(record)


def test_runservers_request_lines_are_redacted():
    import logging

    logger = logging.getLogger("django.server")
    assert not logger.propagate
    handler = next(h for h in logger.handlers if any(isinstance(f, RedactingFilter) for f in h.filters))
    record = logger.makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /balanscheck/link/{TOKEN}/ HTTP/1.1", 302, 0),
        None,
    )
    assert handler.filter(record) and TOKEN not in handler.format(record)
