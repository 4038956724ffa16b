"""What the offline verifier needs from the server (issue 14, C6): the service worker with the page
in its scope and the assets it keeps, and the page's hand-over to its script (the words, the trust
material's URLs). The checks themselves run in a browser: test_browser_offline.py."""

import json
import re

import pytest
from django.templatetags.static import static

from mantelzorg.declaration import presentation, views

pytestmark = pytest.mark.django_db

PAGE = "/verklaring/controleren/"


def test_the_service_worker_covers_the_page_and_keeps_its_assets(client):
    response = client.get(f"{PAGE}sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == PAGE
    assert response["Cache-Control"] == "no-cache"  # a new deploy replaces it at the next visit
    body = response.content.decode()
    config = json.loads(re.match(r"const MZ_OFFLINE = (\{.*\});\n", body)[1])
    assert config["page"] == PAGE
    assert config["assets"] == [static(name) for name in views.OFFLINE_ASSETS]
    assert static("js/declaration-verify.js") in config["assets"]
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert 'addEventListener("fetch"' in body
    assert client.post(f"{PAGE}sw.js").status_code == 405


def test_the_page_hands_its_script_the_words_and_the_trust_urls(trust, client, settings):
    response = client.get(PAGE)
    html = response.content.decode()
    assert 'data-keys="/verklaring/sleutels.json"' in html
    assert 'data-status="/verklaring/status/1.cwt"' in html
    assert f'data-site="{settings.SITE_URL}"' in html
    assert f'data-worker="{PAGE}sw.js"' in html
    texts = json.loads(
        re.search(r'<script id="mz-verify-texts" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert texts["headlines"]["revoked"]["headline"] == "Ingetrokken"
    assert texts["trust_age"] == "Sleutels en intrekkingslijst van %(time)s."
    assert texts["scan"] == "Scan met de camera"
    assert set(texts["headlines"]) == set(presentation.HEADLINES)
    # the script is loaded, and the page still works as a form without it
    assert f'<script src="{static("js/declaration-verify.js")}" defer></script>' in html
    assert '<form method="post" enctype="multipart/form-data" novalidate>' in html


def test_every_word_of_the_script_is_translated(settings):
    from django.utils import translation

    with translation.override("nl"):
        dutch = presentation.browser_texts()
    with translation.override("en"):
        english = presentation.browser_texts()
    flat = lambda texts: [v for v in texts.values() if isinstance(v, str)]  # noqa: E731
    untranslated = [en for nl, en in zip(flat(dutch), flat(english), strict=True) if nl == en]
    assert untranslated == [], untranslated
