"""Per-dimension scores carry the dimension's name in the visitor's language (FHIR ``translation``
extension on the item coding's ``display``), never the Dutch name in the English interface."""

import pytest
from django.utils import translation

from mantelzorg.assessment import engine, evaluation
from mantelzorg.assessment.tests import factories

pytestmark = pytest.mark.django_db

# The Balanscheck's per-dimension score "pressure" (Druk per gebied) over pressure.*.
PRESSURE_NL = ["Werk of studie", "Eigen gezin", "Eigen gezondheid", "Sociaal leven"]
PRESSURE_EN = ["Work or study", "Own family", "Own health", "Social life"]


def result_html(client) -> str:
    factories.walk(client, factories.overloaded(), postcode="1012 AB")
    response = client.get("/balanscheck/uitslag/")
    assert response.status_code == 200
    return response.content.decode()


def test_english_result_names_the_dimensions_in_english(client):
    assert client.get("/taal/en/").status_code == 302
    html = result_html(client)
    assert "Pressure per area (0-2): Work or study" in html
    for name in PRESSURE_EN:
        assert f": {name}</th>" in html
    for name in PRESSURE_NL:
        assert name not in html
    assert ": Geld</th>" not in html and ": Money</th>" in html


def test_dutch_result_names_the_dimensions_in_dutch(client):
    html = result_html(client)
    assert "Druk per gebied (0-2): Werk of studie" in html
    for name in PRESSURE_NL:
        assert f": {name}</th>" in html
    for name in PRESSURE_EN:
        assert name not in html
    assert ": Geld</th>" in html and ": Money</th>" not in html


@pytest.mark.parametrize("instrument_id", sorted(engine.load_all_builtin()))
def test_every_dimension_of_a_shipped_instrument_has_an_english_name(instrument_id):
    instrument = engine.load_all_builtin()[instrument_id]
    with translation.override("nl"):
        dutch = evaluation.dimension_labels(instrument)
    with translation.override("en"):
        english = evaluation.dimension_labels(instrument)
    assert dutch.keys() == english.keys() and dutch
    untranslated = {code for code in dutch if english[code] == dutch[code] or english[code] == code}
    assert not untranslated, f"no English display for {sorted(untranslated)}"
