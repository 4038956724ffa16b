#!/usr/bin/env python3
"""Where does a page's time go? In-process profile with production settings.

Runs N GET requests of each path through Django's full WSGI stack (all middleware,
production settings, the database SQLITE_PATH / DATABASE_URL points at) in this one
process, prints the mean time per request, the number of queries, and a cProfile top
list of the first path given. Not a throughput benchmark (use bench/run.py): a tool to
find the cause when a page is slow relative to the floor.

    .venv/bin/python bench/profile_page.py / /_floor --n 500
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+")
    p.add_argument("--n", type=int, default=300, help="requests per path (max 20000)")
    p.add_argument("--top", type=int, default=35)
    p.add_argument("--sort", default="cumulative")
    a = p.parse_args(argv)
    a.n = max(1, min(a.n, 20000))
    setup_django()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for path in a.paths:  # warm caches (templates, catalogues, URL resolver)
        for _ in range(20):
            client.get(path)
    for path in a.paths:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(path)
        client.cookies.clear()
        t0 = time.perf_counter()
        for _ in range(a.n):
            client.get(path)
            client.cookies.clear()  # every request is a new anonymous visitor
        dt = (time.perf_counter() - t0) / a.n
        print(
            f"{path:<40} {resp.status_code}  {dt * 1000:7.3f} ms/request  {len(ctx.captured_queries)} queries"
            f"  {len(resp.content)} bytes  set-cookie: {', '.join(resp.cookies) or '-'}"
        )
        for q in ctx.captured_queries:
            print(f"    query: {q['sql'][:140]}")
    reset_queries()
    prof = cProfile.Profile()
    path = a.paths[0]
    prof.enable()
    for _ in range(a.n):
        client.get(path)
        client.cookies.clear()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(a.sort).print_stats(a.top)
    print(f"\ncProfile of {a.n} × GET {path} (sorted by {a.sort}):")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
