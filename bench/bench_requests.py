"""What each kept speed trick is worth: times in-process, with and without it, the function it
speeds up, and the request it belongs to (µs per call, median of repeated timeit runs; the gain
also as a share of the request). Figures for ADR 0004 and BENCHMARKS.md.

    SQLITE_PATH=var/bench50k.sqlite3 .venv/bin/python bench/bench_requests.py [--quick]

Needs a database with a sociale kaart (``generate_directory --services 50000 --seed 1``).
"""

import json
import os
import statistics
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/...`
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.negotiation import DefaultContentNegotiation  # noqa: E402
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402

from mantelzorg.api.negotiation import ContentNegotiation  # noqa: E402
from mantelzorg.api.renderers import JSONRenderer  # noqa: E402
from mantelzorg.assessment import api as assessment_api  # noqa: E402
from mantelzorg.assessment import evaluation, local_offers, registry  # noqa: E402
from mantelzorg.core import geo  # noqa: E402
from mantelzorg.directory import search as directory  # noqa: E402
from mantelzorg.directory.forms import SearchForm  # noqa: E402
from mantelzorg.directory.models import SearchEntry  # noqa: E402
from mantelzorg.directory.templatetags.directory import checkbox_group  # noqa: E402

QUICK = "--quick" in sys.argv
REPEAT = 5 if QUICK else 9
CHECK_BODY = (ROOT / "bench/payloads/check.json").read_text()
SEARCH_URL = "/sociale-kaart/?postcode=3511&radius=10"
CHECKBOX_FIELDS = ("vraaggebied", "trede", "respijt", "doelgroep")


def per_call_us(fn, number):
    fn()  # warm
    runs = timeit.repeat(fn, number=max(1, number // (3 if QUICK else 1)), repeat=REPEAT)
    return statistics.median(runs) / max(1, number // (3 if QUICK else 1)) * 1e6


def row(name, request_us, with_us, without_us, test):
    gain = without_us - with_us
    share = 100 * gain / (request_us - with_us + without_us) if request_us else 0.0
    return {
        "trick": name,
        "with_us": round(with_us, 1),
        "without_us": round(without_us, 1),
        "gain_us": round(gain, 1),
        "function_gain_pct": round(100 * gain / without_us, 1),
        "request_us": round(request_us, 1),
        "request_gain_pct": round(share, 1),
        "test": test,
    }


def main():
    settings.DEBUG = False  # no query log (the development settings keep one)
    client = Client()
    # ---- the requests (the check warm, as bench/run.py sees it; the search cold: its tricks
    # only run when the page is not cached)
    check = lambda: client.post("/api/v1/checks/", CHECK_BODY, content_type="application/json")  # noqa: E731
    assert check().status_code == 200
    check_us = per_call_us(check, 200)
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    search = lambda: client.get(SEARCH_URL)  # noqa: E731
    assert search().status_code == 200
    search_us = per_call_us(search, 20)
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60

    rows = []
    # ---- orjson: the check result encoded
    data = json.loads(check().content)
    ours, drf = JSONRenderer(), DRFJSONRenderer()
    assert ours.render(data) == drf.render(data)
    rows.append(
        row(
            "orjson renderer (api.renderers.JSONRenderer), the check result",
            check_us,
            per_call_us(lambda: ours.render(data), 2000),
            per_call_us(lambda: drf.render(data), 2000),
            "mantelzorg/core/tests/test_api.py::test_api_json_renderer_writes_what_drf_writes",
        )
    )

    # ---- the negotiation shortcut: no Accept header (curl, requests, fetch)
    request = Request(APIRequestFactory().post("/api/v1/checks/"))
    renderers = [JSONRenderer()]
    short, full = ContentNegotiation(), DefaultContentNegotiation()
    assert short.select_renderer(request, renderers)[1] == full.select_renderer(request, renderers)[1]
    rows.append(
        row(
            "content negotiation shortcut (api.negotiation), no Accept header",
            check_us,
            per_call_us(lambda: short.select_renderer(request, renderers), 20000),
            per_call_us(lambda: full.select_renderer(request, renderers), 20000),
            "mantelzorg/core/tests/test_api.py::test_api_content_negotiation_chooses_as_drf_does",
        )
    )

    # ---- raw rows: the search's candidate rows without Django's per-value converters
    place = geo.resolve_postcode("3511")
    qs = directory.filtered_entries(
        support_domains=(),
        ladder_steps=(),
        respite_forms=(),
        target_groups=(),
        free_only=False,
        text_query="",
    )
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, 10)
    qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    text_cols = qs.values_list(
        directory.AS_TEXT["service_id"], directory.AS_TEXT["location_id"], "id", "lat", "lon"
    )
    plain_cols = qs.values_list("service_id", "location_id", "id", "lat", "lon")
    candidates = len(directory.raw_rows(text_cols))
    rows.append(
        row(
            f"raw rows (directory.search.raw_rows), {candidates} candidates of the search",
            search_us,
            per_call_us(lambda: directory.raw_rows(text_cols), 50),
            per_call_us(lambda: list(plain_cols.all()), 50),
            "tests/test_kept_tricks.py::test_raw_rows_are_the_rows_the_orm_reads",
        )
    )

    # ---- raw SQL cards: the page's hits from the index rows' JSON cards, one raw query
    captured = []
    real_hits = directory.hits_for
    directory.hits_for = lambda window, **kw: captured.append(window) or real_hits(window, **kw)
    try:
        directory.service_search(place=place, radius_km=10)
    finally:
        directory.hits_for = real_hits
    window = captured[0]

    def orm_cards():
        cards = dict(SearchEntry.objects.filter(id__in=[e for *_, e in window]).values_list("id", "card"))
        moment = directory.timezone.now()
        return [directory.hit_from_card(s, loc, cards.get(e), shown, moment) for s, shown, loc, e in window]

    rows.append(
        row(
            f"raw SQL cards (directory.search.hits_for), a page of {len(window)} hits",
            search_us,
            per_call_us(lambda: directory.hits_for(window), 500),
            per_call_us(orm_cards, 500),
            "tests/test_kept_tricks.py::test_raw_sql_cards_are_the_cards_the_orm_reads",
        )
    )

    # ---- the checkbox builder: the search form's four checkbox groups
    form = SearchForm({})
    form.is_valid()
    rows.append(
        row(
            "checkbox builder (directory checkbox_group), the search form's 4 groups",
            search_us,
            per_call_us(lambda: [checkbox_group(form[n]) for n in CHECKBOX_FIELDS], 200),
            per_call_us(lambda: [str(form[n]) for n in CHECKBOX_FIELDS], 200),
            "tests/test_kept_tricks.py::test_checkbox_builder_gives_the_checkboxes_of_the_django_widget",
        )
    )

    # ---- what was removed, for the record: one offers cache (a copy per caller, never mutated)
    instrument = registry.instrument_get(registry.BALANSCHECK)
    body = json.loads(CHECK_BODY)
    outcome = evaluation.evaluate(instrument, body["answers"], place=geo.resolve_postcode(body["postcode"]))
    local_offers.offers_for(outcome.place, outcome.advice)
    removed = {
        "offers_for (one in-process cache; a copy with the caller's place)": round(
            per_call_us(lambda: local_offers.offers_for(outcome.place, outcome.advice), 2000), 1
        ),
        "result_data (labels and cards: as_json made once)": round(
            per_call_us(
                lambda: assessment_api.result_data(
                    outcome, local_offers.offers_for(outcome.place, outcome.advice)
                ),
                2000,
            ),
            1,
        ),
    }

    print(f"POST /api/v1/checks/ (warm, in-process): {check_us:8.1f} µs")
    print(f"GET {SEARCH_URL} (cold, in-process): {search_us:8.1f} µs")
    print()
    print(f"{'trick':75s} {'with':>9s} {'without':>9s} {'gain':>8s} {'fn %':>6s} {'req %':>6s}")
    for r in rows:
        print(
            f"{r['trick']:75s} {r['with_us']:9.1f} {r['without_us']:9.1f} {r['gain_us']:8.1f}"
            f" {r['function_gain_pct']:6.1f} {r['request_gain_pct']:6.1f}"
        )
    print()
    for name, us in removed.items():
        print(f"{name:75s} {us:9.1f} µs")
    if "--json" in sys.argv:
        print(
            json.dumps(
                {"check_us": check_us, "search_us": search_us, "rows": rows, "removed": removed}, indent=1
            )
        )


if __name__ == "__main__":
    main()
