#!/usr/bin/env python3
"""Throughput/latency benchmark of Mantelzorg on the PRODUCTION server.

Starts gunicorn (config.wsgi) with production settings on 127.0.0.1 and a free port,
drives bounded load at the framework floor ``/_floor`` and at every ``--url`` /
``--post`` given, repeats ``--runs`` times and prints MEDIANS of req/s, p50/p95/p99
latency, errors, the gunicorn-measured server time, and each URL's throughput ratio
to the floor measured in the same run. Always stops gunicorn (also on Ctrl-C).

Example::

    .venv/bin/python bench/run.py --url / --url '/sociale-kaart/?postcode=3511&radius=10'
    .venv/bin/python bench/run.py --post /api/v1/things/ --body bench/thing.json \
        --content-type application/json

See bench/README.md. Not part of the test run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FLOOR = "/_floor"
LOG_FORMAT = "BENCH %(s)s %(D)s %(m)s %(U)s"  # status, request time in µs, method, path


@dataclass
class Target:
    label: str
    path: str
    method: str = "GET"
    body_file: str | None = None
    content_type: str | None = None
    paths_file: str | None = None  # --urls: a mix of GET paths requested in turn
    bodies_file: str | None = None  # --post-mix: a mix of POST bodies sent in turn


def venv_bin(name: str) -> str:
    candidate = REPO / ".venv" / "bin" / name
    if candidate.exists():
        return str(candidate)
    if name == "python":
        return sys.executable
    return name


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env() -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    # SQLITE_PATH / DATABASE_URL pass through unchanged: the user's database is benchmarked.
    return env


def db_label(env: dict) -> str:
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        scheme, _, rest = url.partition("://")
        host_db = rest.split("@", 1)[-1]
        return f"{scheme}://…@{host_db}"
    return f"sqlite:{env.get('SQLITE_PATH') or REPO / 'var' / 'db.sqlite3'}"


def manage(env: dict, *args: str) -> None:
    cmd = [venv_bin("python"), "manage.py", *args]
    print(f"$ {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


class Server:
    """gunicorn in its own process group; stop() kills the whole group."""

    def __init__(self, env, workers, worker_class, threads, access_log):
        self.port = free_port()
        self.errlog = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.access_log = access_log
        self.cmd = [
            venv_bin("gunicorn"),
            "-c",
            "config/gunicorn.conf.py",  # the access log redacts tokens and full postcodes, as in production
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--no-control-socket",  # servers started side by side must not stop each other
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
        ]
        if access_log:
            self.cmd += ["--access-logfile", access_log, "--access-logformat", LOG_FORMAT]
        self.proc = subprocess.Popen(
            self.cmd, cwd=REPO, env=env, stdout=self.errlog, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_healthy(self, timeout=60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _, body = fetch(self.port, "/healthz")
                if status == 200:
                    return
                last = f"{status} {body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise SystemExit(f"/healthz did not answer 200 within {timeout}s (last: {last})\n{self.log_tail()}")

    def log_tail(self, n=40) -> str:
        try:
            return "".join(Path(self.errlog.name).read_text(errors="replace").splitlines(True)[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.errlog.close()
        try:
            os.unlink(self.errlog.name)
        except OSError:
            pass


def fetch(port, path, method="GET", body=None, content_type=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Accept-Encoding": "identity"}
        if content_type:
            headers["Content-Type"] = content_type
        if os.environ.get("BENCH_COOKIE"):
            headers["Cookie"] = os.environ["BENCH_COOKIE"]
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data
    finally:
        conn.close()


def read_server_times(access_log: str, offset: int, paths: set[str]) -> list[float]:
    """Server-side request times (ms) gunicorn logged for ``paths`` since ``offset``."""
    times = []
    with open(access_log, "rb") as fh:
        fh.seek(offset)
        for raw in fh:
            parts = raw.decode(errors="replace").split()
            if len(parts) >= 5 and parts[0] == "BENCH" and parts[4] in paths:
                times.append(int(parts[2]) / 1000)
    return times


def measure(args, port, target: Target, tool: str, duration, requests=None) -> dict:
    kwargs = dict(
        concurrency=args.concurrency,
        duration=duration,
        requests=requests,
        method=target.method,
        body_file=target.body_file,
        content_type=target.content_type,
        paths_file=target.paths_file,
        bodies_file=target.bodies_file,
    )
    if tool == "wrk":
        return loadgen.run_wrk(url=f"http://{HOST}:{port}{target.path}", host=HOST, **kwargs)
    return loadgen.run_python(host=HOST, port=port, path=target.path, **kwargs)


def run_target_slice(args, port, target, tool, access_log, duration, requests) -> dict:
    """One measurement of one target; adds the server times gunicorn logged for it."""
    offset = os.path.getsize(access_log) if access_log else 0
    result = measure(args, port, target, tool, duration, requests)
    if access_log:
        time.sleep(0.3)  # gunicorn logs after the response is sent
        paths = loadgen.read_paths(target.paths_file) if target.paths_file else [target.path]
        # The access log redacts secret path segments (config/access_log.py): match the redacted form.
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        from config.access_log import redact

        logged = {p.split("?")[0] for p in paths} | {redact(p.split("?")[0]) for p in paths}
        result["server_ms"] = read_server_times(access_log, offset, logged)
    return result


def combine(slices: list[dict]) -> dict:
    """Merge the slices of one target in one run: throughput from the sums, client
    percentiles as the median of the slices' percentiles (exact when there is one
    slice), server percentiles exact over all logged requests."""
    requests = sum(r["requests"] for r in slices)
    seconds = sum(r["seconds"] for r in slices)
    out = {
        "requests": requests,
        "seconds": seconds,
        "rps": requests / seconds if seconds else 0.0,
        "errors": sum(r["errors"] for r in slices),
        "non_2xx": sum(r["non_2xx"] for r in slices),
        "p50_ms": statistics.median(r["p50_ms"] for r in slices),
        "p95_ms": statistics.median(r["p95_ms"] for r in slices),
        "p99_ms": statistics.median(r["p99_ms"] for r in slices),
    }
    if "server_ms" in slices[0]:
        server = sorted(t for r in slices for t in r["server_ms"])
        out["server_p50_ms"] = loadgen.percentile(server, 50)
        out["server_p95_ms"] = loadgen.percentile(server, 95)
    return out


def run_once(args, port, targets, tool, access_log) -> dict[str, dict]:
    """One run: warm up every target, then measure them in ``--slices`` interleaved
    rounds (floor, url1, url2, floor, url1, ...) so that a burst of background load
    hits the floor and the pages alike and the ratio stays fair."""
    if args.warmup > 0:
        for t in targets:
            measure(args, port, t, tool, args.warmup)
    k = args.slices
    duration = (args.duration if not args.requests else loadgen.MAX_DURATION) / k
    requests = max(1, args.requests // k) if args.requests else None
    parts: dict[str, list[dict]] = {t.label: [] for t in targets}
    for _ in range(k):
        for t in targets:
            parts[t.label].append(run_target_slice(args, port, t, tool, access_log, duration, requests))
    return {label: combine(slices) for label, slices in parts.items()}


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def fmt_row(label, r, ratio=None, server=True):
    cells = [
        f"{label:<40.40}",
        f"{r['rps']:>9.1f}",
        f"{r['p50_ms']:>8.2f}",
        f"{r['p95_ms']:>8.2f}",
        f"{r['p99_ms']:>8.2f}",
        f"{int(r['errors']):>6d}",
    ]
    if server:
        cells.append(f"{r.get('server_p50_ms', float('nan')):>8.2f}")
        cells.append(f"{r.get('server_p95_ms', float('nan')):>8.2f}")
    cells.append(f"{ratio * 100:>6.1f}%" if ratio is not None else f"{'—':>7}")
    return " ".join(cells)


def header(server=True):
    cols = [
        f"{'target':<40}",
        f"{'req/s':>9}",
        f"{'p50 ms':>8}",
        f"{'p95 ms':>8}",
        f"{'p99 ms':>8}",
        f"{'errors':>6}",
    ]
    if server:
        cols += [f"{'srv p50':>8}", f"{'srv p95':>8}"]
    cols.append(f"{'/floor':>7}")
    line = " ".join(cols)
    return line + "\n" + "-" * len(line)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Benchmark the production server (gunicorn) against the framework floor /_floor.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--url", action="append", default=[], metavar="PATH", help="GET path to measure (repeatable)"
    )
    p.add_argument(
        "--urls",
        action="append",
        default=[],
        metavar="FILE",
        help="a mix of GET paths, one per line, requested in turn as one target (repeatable)",
    )
    p.add_argument(
        "--post", action="append", default=[], metavar="PATH", help="POST path to measure (repeatable)"
    )
    p.add_argument(
        "--body", action="append", default=[], metavar="FILE", help="body file, one per --post, in order"
    )
    p.add_argument(
        "--content-type",
        action="append",
        default=[],
        metavar="T",
        help="content type, one per --post (default JSON)",
    )
    p.add_argument(
        "--post-mix",
        action="append",
        nargs=2,
        default=[],
        metavar=("PATH", "FILE"),
        help="POST the FILE's bodies (one per line) to PATH in turn, as one target (repeatable); "
        "content type JSON for *.jsonl, else application/x-www-form-urlencoded",
    )
    p.add_argument(
        "--settings",
        default="config.settings",
        help="DJANGO_SETTINGS_MODULE of the benchmark server (e.g. bench.settings_verify: a rate limit raised)",
    )
    p.add_argument("--concurrency", type=int, default=16, help="open connections")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    p.add_argument(
        "--requests", type=int, default=None, help="stop each measurement after N requests instead"
    )
    p.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per target before each run")
    p.add_argument(
        "--slices",
        type=int,
        default=5,
        help="split each target's duration into K interleaved slices (floor, url, floor, url, …) per run",
    )
    p.add_argument("--runs", type=int, default=3, help="repeat everything K times; medians are reported")
    p.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    p.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class"
    )
    p.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    p.add_argument("--tool", default="auto", choices=["auto", "wrk", "python"], help="load generator")
    p.add_argument("--no-server-time", action="store_true", help="do not write/parse the gunicorn access log")
    p.add_argument("--no-prepare", action="store_true", help="skip collectstatic and migrate")
    p.add_argument(
        "--load-reference-data", action="store_true", help="also run manage.py load_reference_data"
    )
    p.add_argument("--json", metavar="FILE", help="also write all results as JSON")
    p.add_argument(
        "--cookie",
        metavar="NAME=VALUE",
        help="send this Cookie header with every request (a signed-in session, e.g. from bench/network_data.py)",
    )
    a = p.parse_args(argv)
    if a.cookie:
        os.environ["BENCH_COOKIE"] = a.cookie  # read by fetch() and both load generators
    if len(a.body) != len(a.post):
        p.error("give exactly one --body FILE per --post PATH")
    if len(a.content_type) > len(a.post):
        p.error("more --content-type than --post")
    if not 1 <= a.concurrency <= loadgen.MAX_CONCURRENCY:
        p.error(f"--concurrency must be 1..{loadgen.MAX_CONCURRENCY}")
    if not 0 < a.duration <= loadgen.MAX_DURATION:
        p.error(f"--duration must be in (0, {loadgen.MAX_DURATION:.0f}]")
    if a.requests is not None and not 1 <= a.requests <= loadgen.MAX_REQUESTS:
        p.error(f"--requests must be 1..{loadgen.MAX_REQUESTS}")
    if not 1 <= a.runs <= 20:
        p.error("--runs must be 1..20")
    if not 1 <= a.slices <= 50 or a.duration / a.slices < 1:
        p.error("--slices must be 1..50 and leave at least 1 s per slice")
    if not 0 <= a.warmup <= 60:
        p.error("--warmup must be 0..60")
    for path, f in a.post_mix:
        if not path.startswith("/"):
            p.error(f"{path!r}: give a path starting with '/', the host is always 127.0.0.1")
        if not Path(f).is_file():
            p.error(f"--post-mix {f}: no such file")
    if not (a.settings == "config.settings" or a.settings.startswith("bench.")):
        p.error("--settings: config.settings or a benchmark module bench.*")
    for path in a.url + a.post:
        if not path.startswith("/"):
            p.error(f"{path!r}: give a path starting with '/', the host is always 127.0.0.1")
    for f in a.body:
        if not Path(f).is_file():
            p.error(f"--body {f}: no such file")
    return a


def choose_tool(requested: str) -> str:
    if requested == "wrk" and not loadgen.wrk_available():
        raise SystemExit(
            "--tool wrk: 'wrk' is not installed (Debian: apt-get install -y wrk). "
            "Use --tool python for the pure-Python generator."
        )
    if requested == "auto":
        if loadgen.wrk_available():
            return "wrk"
        print(
            "NOTE: wrk not found (apt-get install -y wrk); falling back to the pure-Python load generator,"
            " which competes harder with the server for the 2 cores: absolute figures will be lower.",
            file=sys.stderr,
        )
        return "python"
    return requested


def main(argv=None) -> int:
    args = parse_args(argv)
    tool = choose_tool(args.tool)
    targets = [Target("floor " + FLOOR, FLOOR)]
    targets += [Target("GET " + u, u) for u in args.url]
    for f in args.urls:
        paths = loadgen.read_paths(f)
        targets.append(Target(f"GET {len(paths)} paths of {Path(f).name}", paths[0], paths_file=f))
    for i, path in enumerate(args.post):
        ct = args.content_type[i] if i < len(args.content_type) else "application/json"
        targets.append(Target("POST " + path, path, "POST", args.body[i], ct))
    for path, f in args.post_mix:
        ct = "application/json" if f.endswith(".jsonl") else "application/x-www-form-urlencoded"
        n = len(loadgen.read_bodies(f))
        targets.append(Target(f"POST {path} ({n} bodies)", path, "POST", None, ct, bodies_file=f))

    env = production_env()
    env["DJANGO_SETTINGS_MODULE"] = args.settings
    per = (args.warmup + (args.duration if not args.requests else loadgen.MAX_DURATION)) * len(targets)
    print("Mantelzorg benchmark — production server on loopback")
    print(f"  date        {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  machine     {platform.node()} · {os.cpu_count()} cores · {platform.platform()}")
    print(f"  load        {os.getloadavg()[0]:.2f} (1-min average before the run)")
    print(f"  database    {db_label(env)}")
    print(f"  settings    {args.settings}")
    print(f"  server      gunicorn {args.worker_class} × {args.workers} workers × {args.threads} threads")
    print(
        f"  client      {tool}, concurrency {args.concurrency}, "
        + (f"{args.requests} requests" if args.requests else f"{args.duration:g} s")
        + f" per target in {args.slices} interleaved slices, after {args.warmup:g} s warm-up, {args.runs} runs"
    )
    print(f"  time bound  ≤ {per * args.runs:.0f} s of load (+ start-up)")
    print(
        "  latency     client-side, loopback; server time = gunicorn %(D)s (request parsed → response written)"
    )
    print(flush=True)

    if not args.no_prepare:
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
    if args.load_reference_data:
        manage(env, "load_reference_data")

    access_log = None
    if not args.no_server_time:
        fd, access_log = tempfile.mkstemp(prefix="bench-access-", suffix=".log")
        os.close(fd)

    server = None
    results: dict[str, list[dict]] = {t.label: [] for t in targets}

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        server = Server(env, args.workers, args.worker_class, args.threads, access_log)
        print(f"$ {' '.join(server.cmd[1:])}")
        server.wait_healthy()
        for t in targets:  # pre-flight: each target must answer 2xx (wrk counts 3xx as success)
            body = Path(t.body_file).read_bytes() if t.body_file else None
            paths = loadgen.read_paths(t.paths_file) if t.paths_file else [t.path]
            samples = [(p, body) for p in dict.fromkeys([paths[0], paths[len(paths) // 2], paths[-1]])]
            if t.bodies_file:
                bodies = loadgen.read_bodies(t.bodies_file)
                samples = [
                    (t.path, b) for b in dict.fromkeys([bodies[0], bodies[len(bodies) // 2], bodies[-1]])
                ]
            for path, body in samples:  # a sample
                status, headers, data = fetch(server.port, path, t.method, body, t.content_type)
                cookies = "set-cookie" if any(k.lower() == "set-cookie" for k in headers) else "no cookie"
                print(f"  pre-flight {t.method} {path} → {status}, {len(data)} bytes, {cookies}")
                if not 200 <= status <= 299:
                    raise SystemExit(
                        f"{t.method} {path} answered {status}, not 2xx: fix the URL or the data first"
                    )
        print()
        srv = access_log is not None
        for run in range(1, args.runs + 1):
            print(f"Run {run}/{args.runs}")
            print(header(srv))
            measured = run_once(args, server.port, targets, tool, access_log)
            floor = measured[targets[0].label]
            for t in targets:
                r = measured[t.label]
                r["ratio"] = r["rps"] / floor["rps"] if floor["rps"] else float("nan")
                results[t.label].append(r)
                print(fmt_row(t.label, r, None if t.path == FLOOR else r["ratio"], srv), flush=True)
            print()
        print(
            f"MEDIANS over {args.runs} runs ({tool}, c={args.concurrency}, "
            f"gunicorn {args.worker_class}×{args.workers}×{args.threads}, {db_label(env)})"
        )
        print(header(srv))
        summary = {}
        for t in targets:
            rs = results[t.label]
            med = {k: median([r[k] for r in rs if k in r]) for k in rs[0] if k != "tool"}
            summary[t.label] = med
            print(fmt_row(t.label, med, None if t.path == FLOOR else med["ratio"], srv))
        print(
            "\n/floor = the URL's req/s ÷ the floor's req/s in the same run (median of runs); target ≥ 70%."
        )
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "date": datetime.now(UTC).isoformat(timespec="seconds"),
                        "cores": os.cpu_count(),
                        "database": db_label(env),
                        "settings": args.settings,
                        "server": {
                            "workers": args.workers,
                            "worker_class": args.worker_class,
                            "threads": args.threads,
                        },
                        "tool": tool,
                        "concurrency": args.concurrency,
                        "runs": results,
                        "medians": summary,
                    },
                    indent=2,
                )
            )
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted — stopping gunicorn", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if access_log:
            try:
                os.unlink(access_log)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
