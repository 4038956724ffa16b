"""Settings of the BENCHMARK server only (``run.py --settings bench.settings_verify``): production
settings with the ``declaration_verify`` limit (600 an hour per IP address) raised so far that a
benchmark from one address on loopback is not refused. The limit is still counted on every
request (one UPDATE of its row, as in production), so its cost stays in the figures.

Never for a real server: it refuses to load unless the only allowed host is 127.0.0.1."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS, RATE_LIMITS

if ALLOWED_HOSTS != ["127.0.0.1"]:
    raise RuntimeError("bench.settings_verify is for the benchmark server on 127.0.0.1 only")

RATE_LIMITS = {**RATE_LIMITS, "declaration_verify": {"ip": (10**9, 60 * 60)}}
