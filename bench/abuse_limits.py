"""Do the abuse limits hold on the production server with several worker processes?

Starts gunicorn (``--workers 4``, the production server) on 127.0.0.1 with a fresh SQLite database,
then fires bursts from 4 threads at once and prints, per scenario, the answers and how many e-mails
the server sent (the console e-mail backend writes them to the server's output):

- 20 password-reset requests for one account;
- 20 "save by e-mail" requests (the Balanscheck's magic link) to one address;
- 20 sign-ups with one address;
- 40 failed logins, each for another account (password spraying).

DEBUG stays on (static files from their sources, no collectstatic); the limits do not depend on it.

    .venv/bin/python bench/abuse_limits.py                      # this checkout
    .venv/bin/python bench/abuse_limits.py --root ../before   # another checkout (e.g. git archive of main)

Bounded: about 100 requests, stops the server at the end.
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PASSWORD = "fiets paraplu zonnebloem"


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        if not self.csrf():
            self.get(path)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def emails_sent(log: Path, since: int) -> int:
    text = log.read_bytes()[since:].decode(errors="replace")
    return len(re.findall(r"^Subject: ", text, flags=re.M))


def burst(n: int, job) -> collections.Counter:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return collections.Counter(pool.map(job, range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=str(HERE), help="the checkout to serve")
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    root = Path(args.root)
    python = str(HERE / ".venv" / "bin" / "python")
    tmp = Path(tempfile.mkdtemp(prefix="mz-abuse-"))
    env = {
        **os.environ,
        "SQLITE_PATH": str(tmp / "db.sqlite3"),
        "DJANGO_DEBUG": "true",  # static files from their sources: no collectstatic needed for this
        "MANTELZORG_DEMO_DATA": "false",
        "PYTHONPATH": str(root),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
    }
    env.pop("EMAIL_HOST", None)  # the console backend: every e-mail lands in the server's output
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "shell", "-c",
         "from mantelzorg.accounts.models import User;"
         f"User.objects.create_user(email='mantelzorger@example.org', password={PASSWORD!r})"],
        cwd=root, env=env, check=True,
    )  # fmt: skip
    log = tmp / "server.log"
    server = subprocess.Popen(
        [str(HERE / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}", "--no-control-socket"],
        cwd=root, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        os.environ.update(SQLITE_PATH=env["SQLITE_PATH"])
        sys.path.insert(0, str(root))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from mantelzorg.assessment import engine
        from mantelzorg.assessment.forms import STEPS
        from mantelzorg.assessment.tests.factories import form_data, overloaded

        rows = []

        def scenario(name, n, job):
            since = log.stat().st_size
            start = time.perf_counter()
            statuses = burst(n, job)
            took = time.perf_counter() - start
            time.sleep(0.5)  # let the workers flush their output
            rows.append((name, n, took, dict(sorted(statuses.items())), emails_sent(log, since)))

        def reset(i):
            return Browser(base).post("/account/wachtwoord-vergeten/", {"email": "mantelzorger@example.org"})[
                0
            ]

        scenario("password reset, one account", 20, reset)

        carer = Browser(base)
        instrument = engine.load_all_builtin()["balanscheck"]
        for index in range(len(STEPS)):
            carer.post(f"/balanscheck/stap/{index + 1}/", form_data(instrument, index, overloaded()))

        def save(i):
            return carer.post("/balanscheck/bewaren/", {"action": "email", "email": "carer@example.org"})[0]

        scenario("save by e-mail, one address", 20, save)

        def signup(i):
            return Browser(base).post(
                "/account/aanmelden/", {"email": "new@example.org", "password": PASSWORD}
            )[0]

        scenario("sign-up, one address", 20, signup)

        def spray(i):
            return Browser(base).post(
                "/account/inloggen/", {"email": f"p{i}@example.org", "password": "Welkom2026!"}
            )[0]

        scenario("failed logins, 40 accounts, one IP", 40, spray)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"server: {root} (gunicorn, {args.workers} workers, SQLite)")
    print(f"{'scenario':38} {'requests':>8} {'seconds':>8}  {'e-mails':>7}  answers")
    for name, n, took, statuses, emails in rows:
        print(f"{name:38} {n:8} {took:8.2f}  {emails:7}  {statuses}")


if __name__ == "__main__":
    main()
