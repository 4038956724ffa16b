"""Quality bar 4 for the server's own log: a real gunicorn run, started the way `make run` and
production start it (``-c config/gunicorn.conf.py``), is sent the secret routes (a working magic
link, a working password-reset link, both also as referer and inside ``?next=``) and postcode
searches in every written form; its captured access and error logs are then scanned with the suite's
patterns plus the token and postcode patterns (conftest.ACCESS_LOG_FORBIDDEN): 0 hits. The same
requests to gunicorn without the config (its stock logger) are caught by the same scan, so the scan
can fail. Bounded: two servers with one worker on 127.0.0.1, about twenty requests each."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import make_user, scan_log_text
from mantelzorg.accounts.models import Role
from mantelzorg.assessment.services import email_hash, magic_token
from mantelzorg.assessment.tests.factories import SavedCheckFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ["-c", "config/gunicorn.conf.py"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_env(tmp_path) -> dict:
    if connection.vendor == "sqlite":  # the test's committed rows, copied into a file the server opens
        copy = tmp_path / "server.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return {"SQLITE_PATH": str(copy)}
    db = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    }


def _serve(tmp_path, name, config: list[str], requests: list[tuple[str, dict]]) -> tuple[str, list[int]]:
    """Start gunicorn, send ``requests``, stop it; the text of its access and error logs, the statuses."""
    access, errors = tmp_path / f"{name}-access.log", tmp_path / f"{name}-error.log"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}},
        **_database_env(tmp_path),
        "DJANGO_DEBUG": "1",  # static files from their sources (nothing collected)
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the links below are signed with it
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PUBLIC_PAGE_CACHE_SECONDS": "0",
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen(
        [gunicorn, *config, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket", "--access-logfile", str(access), "--error-logfile", str(errors),
         "--log-level", "info"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    statuses = []
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, errors.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for path, headers in requests:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            conn.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # a graceful stop: gunicorn flushes its logs
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    return access.read_text(errors="replace") + errors.read_text(errors="replace"), statuses


@pytest.fixture
def secret_requests():
    check = SavedCheckFactory(owner_email_hash=email_hash("alice@example.org"))
    user = make_user("alice@example.org", Role.CAREGIVER)
    link = f"/balanscheck/link/{magic_token(check)}/"
    reset = f"/account/wachtwoord-nieuw/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    referer = {"Referer": f"http://127.0.0.1{link}"}
    requests = [
        (link, {}),
        (reset, {}),
        (reset, {"Cookie": "sessionid=abcdef0123456789"}),
        ("/account/wachtwoord-nieuw/MQ/set-password/", {}),
        (f"/account/inloggen/?next={quote(link, safe='')}", {}),
        (f"/account/inloggen/?next={link}", referer),
        ("/sociale-kaart/?postcode=3511AB", referer),
        ("/sociale-kaart/?postcode=3511+AB&radius=10", {}),
        (
            "/sociale-kaart/?postcode=3511%20AB",
            {"Referer": "http://127.0.0.1/sociale-kaart/?postcode=1012AB"},
        ),
        ("/sociale-kaart/?postcode=3511ab", {}),
        ("/api/v1/postcodes/3511AB/", {}),
        ("/balanscheck/?email=alice%40example.org", {}),
        ("/sociale-kaart/?postcode=3511&radius=10", {}),
    ]
    return requests, magic_token(check), default_token_generator.make_token(user)


def test_the_access_log_of_a_real_server_run_holds_no_token_and_no_full_postcode(tmp_path, secret_requests):
    requests, token, reset_token = secret_requests
    log, statuses = _serve(tmp_path, "redacted", CONFIG, requests)
    assert all(status < 500 for status in statuses), statuses
    assert statuses[0] == 302 and statuses[1] == 302  # the links worked: a real token was logged
    # every request is in the log, redacted
    assert log.count('"GET ') >= len(requests) + 1, log
    assert "GET /balanscheck/link/[redacted]/ HTTP/1.1" in log
    assert "GET /account/wachtwoord-nieuw/[redacted]/[redacted]/ HTTP/1.1" in log
    assert log.count("postcode=3511") >= 5  # the four digits stay: operators can still read the area
    assert token not in log and reset_token not in log
    assert scan_log_text("gunicorn (config/gunicorn.conf.py)", log) == []


def test_without_the_config_the_same_scan_finds_the_tokens_and_postcodes(tmp_path, secret_requests):
    requests, token, reset_token = secret_requests
    log, statuses = _serve(tmp_path, "stock", [], requests)
    assert statuses[0] == 302
    hits = scan_log_text("gunicorn (stock logger)", log, record=False)
    assert token in log and reset_token in log and "3511+AB" in log and "1012AB" in log
    assert any("/balanscheck/link/" in hit for hit in hits)
    assert any("/account/wachtwoord-nieuw/" in hit for hit in hits)
    assert any("postcode=3511AB" in hit for hit in hits)
    assert any("alice%40example.org" in hit or "alice@example.org" in hit for hit in hits)
