#!/usr/bin/env python3
"""Durability (quality bar 10): SIGKILL the production server during concurrent saves; 0 lost.

Starts gunicorn (config.wsgi, production settings, config/gunicorn.conf.py) on 127.0.0.1 and a free
port against a fresh throwaway database (SQLite file in a temp dir, or a new PostgreSQL database
that is dropped at the end), signs in one generated caregiver with a completed Balanscheck in the
session, and lets ``--concurrency`` clients save that check (``POST /balanscheck/bewaren/``, the
form's "save in my account", each with its own Idempotency-Key) for ``--seconds``. ``--kills`` times
the whole server (master and workers) gets SIGKILL, evenly spread over its up-time, and is started
again on the same database; clients that hit the dead server count the request as unanswered and
retry after 50 ms.

An acknowledged save is an answer ``302`` to ``/balanscheck/mijn/<id>/``: the server said "saved, here
it is" (the form's success answer; the API's ``POST /api/v1/checks/`` scores without storing, so it
cannot be used). At the end the server is stopped, and the ids in the database are compared with the
acknowledged ids: every acknowledged save must be found (exit status 1 otherwise). Rows that exist
without an acknowledgement (committed, then killed before the answer left) are reported, not lost.

Bounded: at most 300 s of load (plus the restarts), 64 clients, 200,000 requests; 127.0.0.1 only; the server and any database it
created are always removed (also on Ctrl-C).

    .venv/bin/python bench/durability.py                       # SQLite, 30 s, 8 clients, 3 kills
    .venv/bin/python bench/durability.py --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import HOST, REPO, free_port, production_env, venv_bin  # noqa: E402

CSRF = "d" * 32  # a CSRF secret: the cookie and the form field carry the same value
SAVED = re.compile(r"/balanscheck/mijn/([0-9a-f-]{36})/$")

SETUP = """
from django.test import Client
from mantelzorg.accounts.models import Role, User
from mantelzorg.assessment.tests import factories
user = User.objects.create_user(email="durability@example.invalid", password=None, role=Role.CAREGIVER,
                                name="Voorbeeld Duurzaamheid")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
factories.walk(client, factories.overloaded(), postcode="1012")
print("SESSION=" + client.cookies["sessionid"].value)
"""

COUNT = """
import json
from mantelzorg.assessment.models import SavedCheck
print("IDS=" + json.dumps([str(i) for i in SavedCheck.objects.values_list("id", flat=True)]))
"""


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    proc = subprocess.run(
        [venv_bin("python"), "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


class Server:
    """gunicorn in its own process group, restartable on the same port."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        started = time.monotonic()
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [venv_bin("gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi:application",
                 "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers), "--no-control-socket",
                 "--log-level", "warning", "--error-logfile", "-"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"/healthz did not answer within {timeout} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: nothing gets to finish or flush."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Load:
    """``concurrency`` client threads that save until ``deadline`` or ``max_requests``."""

    def __init__(self, server: Server, session: str, concurrency: int, max_requests: int):
        self.server, self.max_requests = server, max_requests
        self.done = threading.Event()
        self.headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "Host": HOST,
        }
        self.lock = threading.Lock()
        self.sent = 0
        self.acknowledged: list[str] = []
        self.unanswered = 0
        self.other: dict[str, int] = {}
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(concurrency)]

    def client(self) -> None:
        while not self.done.is_set():
            with self.lock:
                if self.sent >= self.max_requests:
                    return
                self.sent += 1
            body = urlencode(
                {"csrfmiddlewaretoken": CSRF, "idempotency_key": str(uuid.uuid4()), "action": "account"}
            )
            try:
                conn = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
                conn.request("POST", "/balanscheck/bewaren/", body=body, headers=self.headers)
                response = conn.getresponse()
                response.read()
                conn.close()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.unanswered += 1
                time.sleep(0.05)  # the server is down (killed): try again shortly
                continue
            match = SAVED.search(response.getheader("Location") or "")
            with self.lock:
                if response.status == 302 and match:
                    self.acknowledged.append(match.group(1))
                else:
                    key = str(response.status)
                    self.other[key] = self.other.get(key, 0) + 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--seconds", type=float, default=30, help="time the server is up under load (≤ 300)")
    p.add_argument("--concurrency", type=int, default=8, help="client threads (≤ 64)")
    p.add_argument("--kills", type=int, default=3, help="SIGKILLs of the whole server, evenly spread (≥ 1)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    p.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    p.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server on 127.0.0.1 (a throwaway database is made)"
    )
    p.add_argument("--json", type=Path, help="write the figures as JSON")
    args = p.parse_args(argv)
    args.seconds = min(max(args.seconds, 5), 300)
    args.concurrency = min(max(args.concurrency, 1), 64)
    args.kills = max(args.kills, 1)
    args.max_requests = min(args.max_requests, 200_000)

    tmp = Path(tempfile.mkdtemp(prefix="mz-durability-"))
    env = production_env()
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["MANTELZORG_DEMO_DATA"] = "0"
    env.pop("SQLITE_PATH", None)
    env.pop("DATABASE_URL", None)
    admin = None
    database_name = None
    if args.postgres:
        import psycopg

        server_url = urlparse(args.postgres)
        if server_url.hostname not in {"127.0.0.1", "localhost"}:
            raise SystemExit("--postgres must be a server on 127.0.0.1")
        database_name = f"mz_durability_{os.getpid()}"
        connect = dict(
            host=server_url.hostname, port=server_url.port or 5432, user=server_url.username or "postgres"
        )
        if server_url.password:
            connect["password"] = server_url.password
        admin = psycopg.connect(dbname="postgres", autocommit=True, **connect)
        admin.execute(f'CREATE DATABASE "{database_name}"')
        env["DATABASE_URL"] = server_url._replace(path=f"/{database_name}").geturl()
        label = f"PostgreSQL (throwaway database {database_name})"
    else:
        env["SQLITE_PATH"] = str(tmp / "durability.sqlite3")
        label = "SQLite (WAL, synchronous=FULL; a fresh file)"

    server = Server(env, args.workers, tmp / "gunicorn.log")
    figures: dict = {"database": label}
    try:
        print(f"database  {label}", flush=True)
        t0 = time.monotonic()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_reference_data", "-v", "0")
        session = re.search(r"SESSION=(\w+)", manage(env, "shell", "-c", SETUP)).group(1)
        print(
            f"prepared  migrate + reference data + one signed-in caregiver in {time.monotonic() - t0:.1f} s"
        )
        startups = [server.start()]
        print(f"server    gunicorn sync × {args.workers} on {HOST}:{server.port}, production settings")
        print(
            f"load      {args.concurrency} clients × {args.seconds:.0f} s, POST /balanscheck/bewaren/, {args.kills} × SIGKILL"
        )

        started = time.monotonic()
        load = Load(server, session, args.concurrency, args.max_requests)
        for thread in load.threads:
            thread.start()
        # The server is up for --seconds in all, cut into kills + 1 equal phases; the restart time of
        # each kill (workers booting) comes on top and is reported.
        phase = args.seconds / (args.kills + 1)
        kills = []
        for _ in range(args.kills):
            load.done.wait(phase)
            with load.lock:
                acked_before, in_flight = len(load.acknowledged), load.sent
            server.kill()
            kills.append({"at_s": round(time.monotonic() - started, 1), "acknowledged_so_far": acked_before})
            startups.append(server.start())
            print(f"  SIGKILL at {kills[-1]['at_s']:5.1f} s ({acked_before} acknowledged of {in_flight} sent), "
                  f"restarted in {startups[-1]:.1f} s", flush=True)  # fmt: skip
        load.done.wait(phase)
        load.done.set()
        for thread in load.threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        server.stop()

        ids = json.loads(re.search(r"IDS=(.*)", manage(env, "shell", "-c", COUNT)).group(1))
        found = set(ids)
        acknowledged = set(load.acknowledged)
        lost = acknowledged - found
        figures.update(
            {
                "seconds": round(elapsed, 1),
                "concurrency": args.concurrency,
                "workers": args.workers,
                "kills": kills,
                "restart_s": [round(s, 2) for s in startups[1:]],
                "requests": load.sent,
                "acknowledged": len(load.acknowledged),
                "acknowledged_distinct": len(acknowledged),
                "unanswered": load.unanswered,
                "other_answers": load.other,
                "rows_found": len(found),
                "acknowledged_found": len(acknowledged & found),
                "lost": len(lost),
                "saved_without_acknowledgement": len(found - acknowledged),
                "acknowledged_per_s": round(len(load.acknowledged) / elapsed, 1),
            }
        )
    finally:
        server.stop()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
            admin.close()
        if os.environ.get("MZ_DURABILITY_KEEP"):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nrun time                 {figures['seconds']} s")
    print(f"requests sent            {figures['requests']}")
    print(f"acknowledged (302 saved) {figures['acknowledged']}  ({figures['acknowledged_per_s']}/s)")
    print(f"unanswered (server dead) {figures['unanswered']}")
    print(f"other answers            {figures['other_answers'] or 'none'}")
    print(f"rows in the database     {figures['rows_found']}")
    print(f"acknowledged and found   {figures['acknowledged_found']}")
    print(
        f"saved, not acknowledged  {figures['saved_without_acknowledgement']}  (committed, killed before the answer)"
    )
    print(f"LOST                     {figures['lost']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    ok = (
        figures["lost"] == 0
        and figures["acknowledged"] > 0
        and figures["acknowledged"] == figures["acknowledged_distinct"]
    )
    print("OK: 0 acknowledged saves lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted — server stopped, throwaway data removed", file=sys.stderr)
        sys.exit(130)
