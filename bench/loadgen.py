"""Bounded HTTP load generators for bench/run.py (loopback only).

Two back ends, same result shape ``{"requests", "errors", "non_2xx", "seconds", "rps",
"p50_ms", "p95_ms", "p99_ms", "tool"}``:

* ``wrk`` (preferred when ``wrk`` is on PATH): a C event-loop client, so it takes far
  less of the 2 shared cores than a Python client. A small Lua script prints the
  latency percentiles and error counts as JSON.
* ``python``: threads + ``http.client`` keep-alive connections (one per thread),
  per-request latency with ``time.perf_counter``. It runs in its OWN PROCESS (this file
  run as a script) so it does not share a GIL with the harness; it still competes with
  the server for CPU, so absolute figures are lower than with wrk.

Both refuse any host other than 127.0.0.1 / localhost / ::1 and stop by themselves:
the run is bounded by ``duration`` seconds and, when given, by ``requests``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_DURATION = 300.0  # seconds, hard ceiling per measurement
MAX_CONCURRENCY = 256
MAX_REQUESTS = 2_000_000


def check_target(host: str) -> None:
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to send load to {host!r}: loopback only (127.0.0.1)")


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------- wrk

WRK_LUA = r"""
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/octet-stream"
end
wrk.headers["Accept-Encoding"] = "identity"
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end

-- A mix of paths (one per line), requested in turn: a realistic spread of queries.
local paths_file = os.getenv("BENCH_PATHS_FILE")
if paths_file and paths_file ~= "" then
  local paths = {}
  for line in io.lines(paths_file) do
    if line ~= "" then table.insert(paths, line) end
  end
  local i = 0
  request = function()
    i = i % #paths + 1
    return wrk.format(nil, paths[i])
  end
end

-- A mix of POST bodies (one per line), sent in turn to one path: e.g. the codes of
-- bench/declaration_data.py, so that a benchmark does not check the same code again and again.
local bodies_file = os.getenv("BENCH_BODIES_FILE")
if bodies_file and bodies_file ~= "" then
  local bodies = {}
  for line in io.lines(bodies_file) do
    if line ~= "" then table.insert(bodies, line) end
  end
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/octet-stream"
  local j = 0
  request = function()
    j = j % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[j])
  end
end

local limit = tonumber(os.getenv("BENCH_PER_THREAD") or "0")
local threads = {}
counter = 0
non2xx = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  counter = counter + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if limit > 0 and counter >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local non = 0
  for _, t in ipairs(threads) do
    non = non + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "non_2xx": %d, ' ..
    '"p50_us": %f, "p95_us": %f, "p99_us": %f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, non,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def read_bodies(bodies_file: str) -> list[bytes]:
    """The bodies of a --post-mix file: one per line, without its newline (at most 10,000)."""
    with open(bodies_file, "rb") as fh:
        bodies = [line.rstrip(b"\r\n") for line in fh if line.strip()]
    if not bodies or len(bodies) > 10_000:
        raise ValueError(f"{bodies_file}: 1 to 10,000 bodies, one per line")
    return bodies


def read_paths(paths_file: str) -> list[str]:
    """The paths of a --urls file: one per line, each starting with "/" (at most 10,000)."""
    with open(paths_file, encoding="utf-8") as fh:
        paths = [line.strip() for line in fh if line.strip() and not line.startswith("#")]
    if not paths or len(paths) > 10_000 or not all(p.startswith("/") for p in paths):
        raise ValueError(f"{paths_file}: 1 to 10,000 paths, one per line, each starting with /")
    return paths


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    *,
    url: str,
    host: str,
    concurrency: int,
    duration: float,
    requests: int | None = None,
    method: str = "GET",
    body_file: str | None = None,
    content_type: str | None = None,
    threads: int = 1,
    paths_file: str | None = None,
    bodies_file: str | None = None,
) -> dict:
    check_target(host)
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
    duration = max(1.0, min(duration, MAX_DURATION))
    threads = max(1, min(threads, concurrency))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_LUA)
        script = fh.name
    env = dict(os.environ)
    env["BENCH_METHOD"] = method
    env["BENCH_BODY_FILE"] = body_file or ""
    env["BENCH_CONTENT_TYPE"] = content_type or ""
    env["BENCH_PATHS_FILE"] = paths_file or ""
    env["BENCH_BODIES_FILE"] = bodies_file or ""
    env["BENCH_PER_THREAD"] = str(math.ceil(min(requests, MAX_REQUESTS) / threads)) if requests else "0"
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{math.ceil(duration)}s",
        "--timeout",
        "10s",
        "-s",
        script,
        url,
    ]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 30)
    finally:
        os.unlink(script)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    raw = json.loads(line[len("BENCHJSON ") :])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in raw if k.startswith("errors_") and k != "errors_status")
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "errors": errors + raw["non_2xx"],
        "non_2xx": raw["non_2xx"],
        "socket_errors": errors,
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
    }


# ------------------------------------------------------------------------ python


def _python_worker(host, port, paths, method, body, headers, deadline, budget, lock, latencies, counters):
    conn = None
    sent = 0
    local_lat: list[float] = []
    errors = non2xx = 0
    while time.perf_counter() < deadline:
        if budget is not None:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10)
            t0 = time.perf_counter()
            payload = body[sent % len(body)] if isinstance(body, list) else body
            conn.request(method, paths[sent % len(paths)], body=payload, headers=headers)
            sent += 1
            resp = conn.getresponse()
            resp.read()
            local_lat.append(time.perf_counter() - t0)
            if not 200 <= resp.status <= 299:
                non2xx += 1
            if resp.will_close:  # e.g. gunicorn sync workers close after each response
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()
    with lock:
        latencies.extend(local_lat)
        counters["errors"] += errors
        counters["non_2xx"] += non2xx


def run_python_inprocess(
    *,
    host: str,
    port: int,
    path: str,
    concurrency: int,
    duration: float,
    requests: int | None = None,
    method: str = "GET",
    body: bytes | list[bytes] | None = None,
    content_type: str | None = None,
    paths: list[str] | None = None,
) -> dict:
    check_target(host)
    paths = paths or [path]
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
    duration = max(0.5, min(duration, MAX_DURATION))
    headers = {"Accept-Encoding": "identity", "Host": f"{host}:{port}"}
    if os.environ.get("BENCH_COOKIE"):
        headers["Cookie"] = os.environ["BENCH_COOKIE"]
    if content_type:
        headers["Content-Type"] = content_type
    lock = threading.Lock()
    latencies: list[float] = []
    counters = {"errors": 0, "non_2xx": 0}
    budget = [min(requests, MAX_REQUESTS)] if requests else None
    start = time.perf_counter()
    deadline = start + duration
    workers = [
        threading.Thread(
            target=_python_worker,
            args=(host, port, paths, method, body, headers, deadline, budget, lock, latencies, counters),
            daemon=True,
        )
        for _ in range(concurrency)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=duration + 15)
    seconds = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {
        "tool": "python",
        "requests": n,
        "errors": counters["errors"] + counters["non_2xx"],
        "non_2xx": counters["non_2xx"],
        "socket_errors": counters["errors"],
        "seconds": seconds,
        "rps": n / seconds if seconds else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def run_python(
    *,
    host: str,
    port: int,
    path: str,
    concurrency: int,
    duration: float,
    requests: int | None = None,
    method: str = "GET",
    body_file: str | None = None,
    content_type: str | None = None,
    paths_file: str | None = None,
    bodies_file: str | None = None,
) -> dict:
    """Run the Python generator in a separate process (own GIL) and return its result."""
    check_target(host)
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--host",
        host,
        "--port",
        str(port),
        "--path",
        path,
        "--concurrency",
        str(concurrency),
        "--duration",
        str(duration),
        "--method",
        method,
    ]
    if requests:
        cmd += ["--requests", str(requests)]
    if body_file:
        cmd += ["--body", body_file]
    if content_type:
        cmd += ["--content-type", content_type]
    if paths_file:
        cmd += ["--paths-file", paths_file]
    if bodies_file:
        cmd += ["--bodies-file", bodies_file]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=min(duration, MAX_DURATION) + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"python load generator failed: {proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Pure-Python bounded load generator (loopback only).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--requests", type=int, default=None)
    p.add_argument("--method", default="GET")
    p.add_argument("--body", default=None, help="file with the request body")
    p.add_argument("--content-type", default=None)
    p.add_argument("--paths-file", default=None, help="request these paths (one per line) in turn")
    p.add_argument("--bodies-file", default=None, help="send these bodies (one per line) in turn")
    a = p.parse_args(argv)
    body: bytes | list[bytes] | None = open(a.body, "rb").read() if a.body else None
    if a.bodies_file:
        body = read_bodies(a.bodies_file)
    paths = read_paths(a.paths_file) if a.paths_file else None
    result = run_python_inprocess(
        host=a.host,
        port=a.port,
        path=a.path,
        concurrency=a.concurrency,
        duration=a.duration,
        requests=a.requests,
        method=a.method,
        body=body,
        content_type=a.content_type,
        paths=paths,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
