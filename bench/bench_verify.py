#!/usr/bin/env python3
"""Where does one MZ1 verification's time go? In-process, production settings (issue 14).

Times, in this one process and in µs per call (best of ``--repeat`` rounds of ``--n`` calls), the
steps of ``services.verify`` — reading the keyring, building the public COSE keys, decoding and
checking a code, reading its status list, counting the outcome — then ``services.verify`` itself
over the mix of ``bench/declaration_data.py``, and ``POST /api/v1/declarations/verify/`` through
the full middleware stack (Django's test client; the rate limit counted as in production). With
``--profile`` a cProfile top list of the API request.

    export SQLITE_PATH=var/bench-verify.sqlite3 MZ_DECLARATION_KEYS_FILE=var/bench-verify-keys.json
    .venv/bin/python bench/bench_verify.py --mix var/bench-verify.api.jsonl

Not part of the test run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
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
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_verify")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def best(fn, n: int, repeat: int) -> float:
    """µs per call, best of ``repeat`` rounds of ``n`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        times.append((time.perf_counter() - t0) / n)
    return min(times) * 1e6


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mix", required=True, help="the .api.jsonl of bench/declaration_data.py")
    p.add_argument("--n", type=int, default=400)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    setup_django()
    from cwt import COSEKey
    from django.test import Client

    from mantelzorg.declaration import codec, keys, selectors, services

    codes = [json.loads(line)["code"] for line in Path(a.mix).read_text().splitlines() if line]
    bodies = [json.dumps({"code": c}) for c in codes]
    at = selectors.now()
    keyset = selectors.public_keyset(at)
    valid = [c for c in codes if codec.decode(c, keyset, at).valid]
    list_ids = [codec.decode(c, keyset, at).claims["status"]["list"] for c in valid]
    n, r = a.n, a.repeat

    def uncached_keyset(at):
        """As before the cache: the keyring file read and parsed, its COSE keys built, per call."""
        keyring = keys.load_keyring(default_path=selectors.default_keyring_path(), cached=False)
        return [COSEKey.new(keys._cose_map(k._private.public_key(), k.kid)) for k in keyring.published(at)]

    cached_keyset = selectors.public_keyset

    def verify_uncached(code):
        selectors.public_keyset = uncached_keyset
        try:
            return services.verify(code)
        finally:
            selectors.public_keyset = cached_keyset

    pairs = [
        ("keyset: parsed + COSE keys built per call (before)", lambda i: uncached_keyset(at)),
        ("keyset: cached per process (after)", lambda i: selectors.public_keyset(at)),
        (
            "services.verify, the mix, uncached keyset (before)",
            lambda i: verify_uncached(codes[i % len(codes)]),
        ),
        ("services.verify, the mix, cached keyset (after)", lambda i: services.verify(codes[i % len(codes)])),
    ]
    interleaved = {label: [] for label, _ in pairs}
    for _ in range(r):  # before and after in turn, so a burst of background load hits both
        for label, fn in pairs:
            interleaved[label].append(best(fn, n, 1))
    rows = [(label, min(values)) for label, values in interleaved.items()]
    rows += [
        ("selectors.keyring() (read + parse the keyring)", best(lambda i: selectors.keyring(), n, r)),
        (
            "selectors.public_keyset(at) (keyring + COSE keys)",
            best(lambda i: selectors.public_keyset(at), n, r),
        ),
        (
            "codec.decode, valid code, no status list",
            best(lambda i: codec.decode(valid[i % len(valid)], keyset, at), n, r),
        ),
        (
            "selectors.status_source (one list from the database)",
            best(lambda i: selectors.status_source(list_ids[i % len(list_ids)]), n, r),
        ),
        (
            "services.count_verification (one UPDATE)",
            best(lambda i: services.count_verification("valid", "parking"), n, r),
        ),
        ("services.verify, valid codes only", best(lambda i: services.verify(valid[i % len(valid)]), n, r)),
        ("services.verify, the mix", best(lambda i: services.verify(codes[i % len(codes)]), n, r)),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    path = "/api/v1/declarations/verify/"

    def api(i):
        response = client.post(path, bodies[i % len(bodies)], content_type="application/json")
        assert response.status_code == 200, response.status_code

    def floor(i):
        client.get("/_floor")

    for _ in range(50):
        api(0)
        floor(0)
    rows.append(("GET /_floor (full stack, test client)", best(floor, n, r)))
    rows.append((f"POST {path}, the mix (full stack)", best(api, n, r)))
    print(f"in-process, best of {r} × {n} calls, µs per call")
    for label, us in rows:
        print(f"  {label:<58} {us:9.1f}")
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n):
            api(i)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
