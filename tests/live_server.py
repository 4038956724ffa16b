"""The production server for contention tests: gunicorn with 3 sync workers on 127.0.0.1, on the
suite's database, started and always stopped by the test (network/tests/test_claim_concurrency.py,
respite/tests/test_contention.py).

- ``database_env(tmp_path)``: the environment that points the server at the test's data. SQLite:
  a file copy of the test database (the suite's is in memory), with ``sqlite_rows`` to read what
  the server wrote there; PostgreSQL: the test database itself (CI's ``DATABASE_URL``), read with
  the ORM.
- ``start(env, log)`` / ``stop(proc)``: the server, its output in a file; stopped whatever happens.
- ``burst(port, requests)``: send the requests from one thread each, all leaving a barrier at
  once, and answer (status, headers, body, seconds) per request in order, with the time in all.
- ``summary(body)``: what went wrong, from an unexpected answer.

Bounded: requests to 127.0.0.1 only, with time-outs.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8133, 8140)  # the contention tests' ports for a server on 127.0.0.1
CSRF = "t" * 32  # a csrf secret: the cookie and the form field (or X-CSRFToken) carry the same value


def listener() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1, handed to the server as it is (``--bind fd://``).
    Not a port found free and bound by the server later: in between, another run of this suite
    (another worktree) took it, and this run's requests went to that run's server."""
    sock = socket.socket()
    for port in PORTS:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return sock
    sock.bind(("127.0.0.1", 0))  # all taken (other runs): any free port
    return sock


def database_env(tmp_path, name: str = "live.sqlite3") -> tuple[dict, Path | None]:
    """(the server's database environment, the SQLite copy or None on PostgreSQL)."""
    if connection.vendor == "sqlite":
        copy = tmp_path / name
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return {"SQLITE_PATH": str(copy)}, copy
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {"DATABASE_URL": url}, None


def sqlite_rows(copy: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(copy) as db:
        return db.execute(sql, params).fetchall()


def server_env(env_db: dict) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}},
        **env_db,
        "DJANGO_DEBUG": "1",  # static files from their sources
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # reads the sessions the test made
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def start(env_db: dict, log: Path, *, workers: int = 3) -> tuple[subprocess.Popen, int]:
    """The server, its output in ``log``: a file, not a pipe nobody reads while the requests run
    (a full pipe stops the server at its next log line, tracebacks included)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    with listener() as sock, log.open("wb") as output:
        port = sock.getsockname()[1]
        proc = subprocess.Popen(
            [gunicorn, "config.wsgi:application", "--bind", f"fd://{sock.fileno()}", "--workers", str(workers),
             "--worker-class", "sync", "--preload", "--no-control-socket", "--log-level", "warning"],
            cwd=ROOT, env=server_env(env_db), stdout=subprocess.DEVNULL, stderr=output,
            start_new_session=True, pass_fds=[sock.fileno()],
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(log.read_text(errors="replace")[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise AssertionError("the server did not start within 60 s")


def stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def summary(body: str) -> str:
    """What went wrong, from an unexpected answer: the title of Django's debug page (the
    exception and where), or the start of the body."""
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    value = re.search(r'<pre class="exception_value">(.*?)</pre>', body, re.S)
    return " | ".join(m.group(1).strip() for m in (title, value) if m) or body[:300]


def session_headers(session: str, **extra) -> dict:
    """The headers of a signed-in POST: the session cookie and the CSRF token (cookie and header)."""
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        "X-CSRFToken": CSRF,
        "Host": "127.0.0.1",
        **extra,
    }


@dataclass
class Request:
    method: str
    path: str
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds after the barrier


@dataclass
class Answer:
    status: int
    headers: dict
    body: str
    seconds: float


@dataclass
class Burst:
    answers: list[Answer | None]
    errors: list[str]
    elapsed: float


def burst(port: int, requests: list[Request], *, timeout: float = 60) -> Burst:
    """Send every request from its own thread over its own open connection, all leaving a barrier
    together (plus each one's ``delay``); the answers in the order of ``requests``."""
    barrier = threading.Barrier(len(requests), timeout=timeout)
    answers: list[Answer | None] = [None] * len(requests)
    errors: list[str] = []
    lock = threading.Lock()

    def send(index: int, request: Request) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            for attempt in range(3):  # a refused connect (a full accept queue) is tried again
                try:
                    conn.connect()
                    break
                except ConnectionRefusedError:
                    time.sleep(0.2 * (attempt + 1))
            barrier.wait()  # every connection is open: the requests leave together
            if request.delay:
                time.sleep(request.delay)
            began = time.monotonic()
            conn.request(request.method, request.path, body=request.body, headers=request.headers)
            response = conn.getresponse()
            body = response.read().decode()
            answers[index] = Answer(
                response.status, dict(response.getheaders()), body, time.monotonic() - began
            )
        except Exception as error:  # reported by the caller, never lost in a thread
            barrier.abort()
            with lock:
                errors.append(repr(error))
        finally:
            conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=send, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    return Burst(answers, errors, time.monotonic() - started)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5: the median)."""
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]
