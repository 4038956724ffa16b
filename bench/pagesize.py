#!/usr/bin/env python3
"""Transfer size of a page and everything it loads, and third-party references.

Fetches PAGE from a running server (loopback only) plus every same-origin stylesheet,
script, image, icon, font and CSS ``url()``/``@import`` it references, twice: with
``Accept-Encoding: br, gzip`` (what a browser gets; whitenoise serves precompressed
static files) and with ``identity`` (uncompressed). Counts every reference that would
make the browser contact another host (must be 0). Prints each response's ``Cache-Control``.
Target: HTML+CSS+JS ≤ 150 KB compressed (``--budget``; the home page's is 60 KB).

Start the production server yourself, or let the script do it (``--start``, same
production settings as bench/run.py)::

    .venv/bin/python bench/pagesize.py --start /
    .venv/bin/python bench/pagesize.py --base http://127.0.0.1:8000 / /sociale-kaart/
    PORT=8100 make run   # then, from another shell: what `make run` serves
    .venv/bin/python bench/pagesize.py --base http://127.0.0.1:8100 --budget 60 /

Exit status 1 when a page is over the budget or references a third-party host.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

BUDGET_KB = 150
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)

# Elements/attributes that make the browser fetch something on page load.
FETCHING = {
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("track", "src"),
}
NAVIGATION = {("a", "href"), ("form", "action"), ("area", "href")}


class Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fetch: list[tuple[str, str]] = []  # (kind, url)
        self.nav: list[str] = []
        self.inline_styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "style":
            self._in_style = True
        if a.get("style"):
            self.inline_styles.append(a["style"])
        for name, value in attrs:
            if not value:
                continue
            if (tag, name) in FETCHING:
                if tag == "link":
                    rel = (a.get("rel") or "").lower()
                    # canonical/alternate/etc. do not fetch; stylesheet/icon/preload/manifest do
                    if not any(
                        r in rel for r in ("stylesheet", "icon", "preload", "modulepreload", "manifest")
                    ):
                        self.nav.append(value)
                        continue
                    kind = "css" if "stylesheet" in rel or a.get("as") == "style" else "other"
                elif tag == "script":
                    kind = "js"
                else:
                    kind = "img" if tag in ("img", "source", "input") else "other"
                urls = [u.strip().split()[0] for u in value.split(",")] if name == "srcset" else [value]
                self.fetch += [(kind, u) for u in urls if u]
            elif (tag, name) in NAVIGATION:
                self.nav.append(value)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_styles.append(data)


def get(base: str, url: str, encoding: str) -> tuple[int, dict, bytes]:
    parts = urlsplit(urljoin(base, url))
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to fetch {parts.hostname}: loopback only")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=15)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers={"Accept-Encoding": encoding, "Accept": "*/*"})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def decoded(headers: dict, body: bytes) -> bytes:
    enc = headers.get("content-encoding", "")
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "br":
        import brotli as br

        return br.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    return body


def is_third_party(base: str, url: str) -> bool:
    if url.startswith(("data:", "#", "mailto:", "tel:", "javascript:", "blob:")):
        return False
    full = urlsplit(urljoin(base, url))
    return full.scheme in ("http", "https", "") and full.netloc != urlsplit(base).netloc


def cache_control(headers: dict) -> str:
    return headers.get("cache-control", "-")


def measure_page(base: str, page: str, verbose: bool = True, budget_kb: int = BUDGET_KB) -> dict:
    status, h, body_c = get(base, page, "br, gzip")
    if status != 200:
        raise SystemExit(f"GET {page} answered {status}")
    _, h_id, body_id = get(base, page, "identity")
    html = decoded(h, body_c).decode("utf-8", errors="replace")
    parser = Refs()
    parser.feed(html)
    page_url = urljoin(base, page)
    rows = [
        ("html", page, len(body_c), len(body_id), h.get("content-encoding", "identity"), cache_control(h))
    ]
    third_party = [u for _, u in parser.fetch if is_third_party(page_url, u)]
    seen = set()
    queue = [(k, urljoin(page_url, u)) for k, u in parser.fetch if not is_third_party(page_url, u)]
    for css in parser.inline_styles:
        for m in CSS_URL.finditer(css):
            u = m.group(2) or m.group(4)
            if u.startswith("data:"):
                continue
            if is_third_party(page_url, u):
                third_party.append(u)
            else:
                queue.append(("other", urljoin(page_url, u)))
    while queue:
        kind, url = queue.pop(0)
        if url in seen or url.startswith("data:"):
            continue
        seen.add(url)
        st, hc, bc = get(base, url, "br, gzip")
        _, _, bi = get(base, url, "identity")
        if st != 200:
            rows.append((kind, url, 0, 0, f"HTTP {st}", ""))
            continue
        rows.append(
            (
                kind,
                urlsplit(url).path,
                len(bc),
                len(bi),
                hc.get("content-encoding", "identity"),
                cache_control(hc),
            )
        )
        if kind == "css":
            text = decoded(hc, bc).decode("utf-8", errors="replace")
            for m in CSS_URL.finditer(text):
                u = m.group(2) or m.group(4)
                if u.startswith("data:"):
                    continue
                if is_third_party(url, u):
                    third_party.append(u)
                else:
                    queue.append(("css" if m.group(4) else "other", urljoin(url, u)))
    core = [r for r in rows if r[0] in ("html", "css", "js")]
    result = {
        "page": page,
        "rows": rows,
        "core_compressed": sum(r[2] for r in core),
        "core_uncompressed": sum(r[3] for r in core),
        "all_compressed": sum(r[2] for r in rows),
        "all_uncompressed": sum(r[3] for r in rows),
        "html_gzip_if_proxied": len(gzip.compress(body_id, 6)),
        "html_encoding": h.get("content-encoding", "identity"),
        "third_party": third_party,
        "outbound_links": [u for u in parser.nav if is_third_party(page_url, u)],
    }
    if verbose:
        print(f"\nGET {page}  (Accept-Encoding: br, gzip vs identity)")
        print(
            f"  {'kind':<6} {'path':<58} {'compressed':>11} {'uncompressed':>13}  {'encoding':<9} cache-control"
        )
        for kind, path, c, u, enc, cc in rows:
            print(f"  {kind:<6} {path:<58.58} {c:>11,d} {u:>13,d}  {enc:<9} {cc}")
        kb = result["core_compressed"] / 1024
        print(
            f"  HTML+CSS+JS: {kb:,.1f} KB compressed, {result['core_uncompressed'] / 1024:,.1f} KB uncompressed"
            f"  (budget {budget_kb} KB compressed: {'OK' if kb <= budget_kb else 'OVER'})"
        )
        print(
            f"  everything:  {result['all_compressed'] / 1024:,.1f} KB compressed, "
            f"{result['all_uncompressed'] / 1024:,.1f} KB uncompressed, {len(rows)} requests"
        )
        if result["html_encoding"] == "identity":
            print(
                f"  note: the HTML itself is sent uncompressed by the app (no GZipMiddleware); gzipped by a "
                f"proxy it would be {result['html_gzip_if_proxied']:,d} bytes. Counted uncompressed above."
            )
        print(
            f"  third-party requests: {len(third_party)}"
            + (f"  {third_party}" if third_party else "  (target 0)")
        )
        if result["outbound_links"]:
            print(f"  outbound links (navigation only, not loaded): {len(result['outbound_links'])}")
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pages", nargs="*", default=["/"])
    p.add_argument("--base", default=None, help="server base URL on loopback, e.g. http://127.0.0.1:8000")
    p.add_argument("--start", action="store_true", help="start the production server (as bench/run.py does)")
    p.add_argument("--no-prepare", action="store_true", help="with --start: skip collectstatic/migrate")
    p.add_argument(
        "--budget", type=int, default=BUDGET_KB, help=f"KB compressed per page (default {BUDGET_KB})"
    )
    a = p.parse_args(argv)
    if bool(a.base) == bool(a.start):
        p.error("give either --base URL (a running server) or --start")
    server = None
    try:
        if a.start:
            import run

            env = run.production_env()
            if not a.no_prepare:
                run.manage(env, "collectstatic", "--noinput", "-v", "0")
                run.manage(env, "migrate", "--noinput", "-v", "0")
            server = run.Server(env, 1, "sync", 1, None)
            server.wait_healthy()
            base = f"http://{run.HOST}:{server.port}"
        else:
            base = a.base.rstrip("/")
            if urlsplit(base).hostname not in LOOPBACK:
                p.error("--base must be on loopback (127.0.0.1)")
        failed = False
        for page in a.pages:
            r = measure_page(base, page, budget_kb=a.budget)
            failed |= r["core_compressed"] > a.budget * 1024 or bool(r["third_party"])
        return 1 if failed else 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
