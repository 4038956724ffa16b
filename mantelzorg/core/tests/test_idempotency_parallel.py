"""The issue's own measure of idempotency: the same key sent 100 times at once creates exactly one
object and every answer is the same. Against the production server (gunicorn, 3 processes × 12 threads
and threads, so the requests really overlap) on the suite's database: SQLite (a file copy of the
in-memory test database) or PostgreSQL (the test database itself). Bounded: 100 requests to
127.0.0.1, a server that is stopped at the end whatever happens."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from conftest import login
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
REQUESTS = 100
KEY = "7d4f0c2e-9b1a-4c55-8e21-3a6b9f0d1c77"
CSRF = "q" * 32  # a csrf secret: the cookie and the form field carry the same value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_env(tmp_path):
    """The environment that points a server process at this test's database."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "parallel.sqlite3"

        def publish():  # the test's writes, committed, copied into a file the server can open
            target = sqlite3.connect(copy)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()

        def saved_checks() -> int:
            with sqlite3.connect(copy) as db:
                return db.execute("SELECT COUNT(*) FROM assessment_savedcheck").fetchone()[0]

        return {"SQLITE_PATH": str(copy)}, publish, saved_checks
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {"DATABASE_URL": url}, lambda: None, lambda: SavedCheck.objects.count()


@pytest.fixture
def server(database_env):
    env_db, publish, saved_checks = database_env
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}},
        **env_db,
        "DJANGO_DEBUG": "1",  # static files from their sources; nothing here renders a page
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # reads the session the test signed
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    started = []

    def start():
        publish()
        proc = subprocess.Popen(
            [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "3", "--preload",
             "--worker-class", "gthread", "--threads", "12", "--no-control-socket", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        started.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return port
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start within 60 s")

    yield start, saved_checks
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_the_same_key_sent_100_times_at_once_stores_once_and_answers_the_same(client, cast, server):
    start, saved_checks = server
    login(client, cast.caregiver)
    factories.walk(client, factories.overloaded(), postcode="1012")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    port = start()

    body = urlencode({"csrfmiddlewaretoken": CSRF, "idempotency_key": KEY, "action": "account"})
    unkeyed = urlencode({"csrfmiddlewaretoken": CSRF, "action": "account"})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        "Host": "127.0.0.1",
    }
    barrier = threading.Barrier(REQUESTS)
    answers: list[tuple[int, str, str, bytes]] = []
    lock = threading.Lock()

    def send(body=body, barrier=barrier):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()  # every connection is open: the requests leave together
        conn.request("POST", "/balanscheck/bewaren/", body=body, headers=headers)
        response = conn.getresponse()
        answer = (response.status, response.getheader("Location", ""),
                  response.getheader("Idempotent-Replayed", ""), response.read())  # fmt: skip
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == REQUESTS
    assert saved_checks() == 1
    statuses = {status for status, *_ in answers}
    locations = {location for _, location, *_ in answers}
    assert statuses == {302}, statuses
    assert len(locations) == 1 and "/balanscheck/mijn/" in next(iter(locations)), locations
    assert len({body for *_, body in answers}) == 1
    assert [replayed for _, _, replayed, _ in answers].count("true") == REQUESTS - 1

    # The control: the same server stores every request that carries no key (5 at once, 5 checks).
    answers.clear()
    barrier = threading.Barrier(5)
    threads = [threading.Thread(target=send, kwargs={"body": unkeyed, "barrier": barrier}) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, *_ in answers] == [302] * 5
    assert saved_checks() == 1 + 5
