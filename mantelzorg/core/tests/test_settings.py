import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import ConnectionHandler

ROOT = Path(settings.BASE_DIR)


def test_sqlite_connections_are_durable(tmp_path, django_db_blocker):
    if settings.DATABASES["default"]["ENGINE"] != "mantelzorg.core.db.sqlite3":
        pytest.skip("PostgreSQL run: SQLite pragmas do not apply")
    handler = ConnectionHandler(
        {"default": {**settings.DATABASES["default"], "NAME": tmp_path / "p.sqlite3"}}
    )
    conn = handler["default"]
    try:
        with django_db_blocker.unblock(), conn.cursor() as cursor:
            pragmas = {}
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
        assert pragmas["journal_mode"] == "wal"
        assert pragmas["synchronous"] == 2  # FULL
        assert pragmas["foreign_keys"] == 1
        assert pragmas["busy_timeout"] >= 5000
        assert conn.transaction_mode == "IMMEDIATE"
    finally:
        conn.close()


def test_check_deploy_is_clean_with_production_values(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k" * 40 + "q8Zr!",
        "DJANGO_ALLOWED_HOSTS": "mantelzorg.example.nl",
        "SQLITE_PATH": str(tmp_path / "deploy.sqlite3"),
    }
    env.pop("DJANGO_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this run
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_ENV": "production", "SQLITE_PATH": str(tmp_path / "x.sqlite3")}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_response_has_the_security_headers(client, db):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_public_page_may_be_cached_but_personal_pages_are_not(client, cast, login_as):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    login_as(cast.caregiver)
    assert "no-store" in client.get("/").get("Cache-Control", "")


def test_login_page_is_never_stored(client, db):
    assert "no-store" in client.get("/account/inloggen/")["Cache-Control"]


def test_production_sets_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.DEBUG)"
    )
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "s" * 60,
        "DJANGO_ALLOWED_HOSTS": "x.nl",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "31536000",
        "True",
        "True",
        "True",
        "Lax",
        "False",
    ]


def test_healthz_answers_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_fails(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_unknown_page_gives_a_dutch_404_without_details(client, db, settings):
    settings.DEBUG = False
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Pagina niet gevonden" in body
    assert 'lang="nl"' in body


def test_server_error_gives_a_generic_dutch_page_without_a_stack_trace(client, db, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    from django.urls import path

    from config import urls as root

    def boom(request):
        raise RuntimeError("secret internal detail")

    settings.ROOT_URLCONF = type(
        "U", (), {"urlpatterns": [path("boom/", boom)] + root.urlpatterns, "handler500": root.handler500}
    )
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Er ging iets mis" in body
    assert "secret internal detail" not in body and "Traceback" not in body
