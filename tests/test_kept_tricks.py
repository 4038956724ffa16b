"""Equivalence tests of the speed tricks we keep (ADR 0004): each gives what the plain Django way
gives. (orjson and the negotiation shortcut have theirs in mantelzorg/core/tests/test_api.py.)"""

import json
from html.parser import HTMLParser

import pytest

from mantelzorg.core.geo import bounding_box, resolve_postcode
from mantelzorg.directory import search as directory
from mantelzorg.directory.forms import SearchForm
from mantelzorg.directory.models import SearchEntry
from mantelzorg.directory.templatetags.directory import checkbox_group
from mantelzorg.directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def kaart():
    for i, postcode in enumerate(("3511", "3512", "3521", "3581", "1012")):
        make_service(f"Aanbod {i}", postcode=postcode, domains=("information", "respite")[: 1 + i % 2])
    make_service("Zonder adres", postcode=None, areas=("GM0344",))
    return resolve_postcode("3511")


def test_raw_rows_are_the_rows_the_orm_reads(kaart):
    """raw_rows (no per-value converters, ids as text) reads the same rows as values_list."""
    qs = directory.filtered_entries(
        support_domains=(),
        ladder_steps=(),
        respite_forms=(),
        target_groups=(),
        free_only=False,
        text_query="",
    )
    min_lat, max_lat, min_lon, max_lon = bounding_box(kaart.lat, kaart.lon, 50)
    qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    raw = directory.raw_rows(
        qs.values_list(directory.AS_TEXT["service_id"], directory.AS_TEXT["location_id"], "id", "lat", "lon")
    )
    orm = list(qs.values_list("service_id", "location_id", "id", "lat", "lon"))
    assert len(raw) >= 4

    def same(rows):
        return sorted(
            (str(directory.as_uuid(s)), str(directory.as_uuid(loc)), e, lat, lon)
            for s, loc, e, lat, lon in rows
        )

    assert same(raw) == same(orm)


def test_raw_sql_cards_are_the_cards_the_orm_reads(kaart, monkeypatch):
    """The page's hits read their cards with one raw query: the same hits as from the ORM's rows."""
    captured = []
    real = directory.hits_for
    monkeypatch.setattr(
        directory, "hits_for", lambda window, **kw: captured.append(window) or real(window, **kw)
    )
    result = directory.service_search(place=kaart, radius_km=50)
    window = captured[0]
    assert result.items and len(window) == len(result.items)
    cards = dict(SearchEntry.objects.filter(id__in=[e for *_, e in window]).values_list("id", "card"))
    moment = directory.timezone.now()
    orm = [directory.hit_from_card(s, loc, cards.get(e), shown, moment) for s, shown, loc, e in window]
    fast = real(window, now=moment)
    assert [(h.service, h.location_id, h.address, h.distance_km, h.open_now) for h in fast] == [
        (h.service, h.location_id, h.address, h.distance_km, h.open_now) for h in orm
    ]
    assert all(json.loads(cards[e]) for *_, e in window)  # every hit had a card


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self._for = [], {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "checkbox":
            self.inputs.append((a["name"], a["value"], a["id"], "checked" in a))
        if tag == "label":
            self._for = a.get("for")

    def handle_data(self, data):
        if self._for and data.strip():
            self.labels[self._for] = self.labels.get(self._for, "") + data.strip()

    def handle_endtag(self, tag):
        if tag == "label":
            self._for = None


def _parsed(markup):
    parser = _Inputs()
    parser.feed(str(markup))
    return parser.inputs, parser.labels


@pytest.mark.parametrize("data", [{}, {"vraaggebied": ["respite", "information"], "doelgroep": ["dementia"]}])
def test_checkbox_builder_gives_the_checkboxes_of_the_django_widget(data):
    """checkbox_group writes the same checkboxes (name, value, id, checked) with the same labels
    as Django's CheckboxSelectMultiple for every multiple-choice field of the search form."""
    form = SearchForm(data)
    form.is_valid()
    for name in ("vraaggebied", "trede", "respijt", "doelgroep"):
        ours, django = _parsed(checkbox_group(form[name])), _parsed(str(form[name]))
        assert ours[0] and ours[0] == django[0], name
        assert ours[1] == {k: v for k, v in django[1].items() if k in ours[1]} and len(ours[1]) == len(
            ours[0]
        )
