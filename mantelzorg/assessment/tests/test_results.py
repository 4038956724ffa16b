"""Result content: level with local thresholds, advice (offers: test_offers.py)."""

import pytest

from mantelzorg.assessment import evaluation, registry, services
from mantelzorg.assessment.tests import factories
from mantelzorg.core import geo
from mantelzorg.core.models import Municipality

pytestmark = pytest.mark.django_db


def evaluate(answers, postcode=None):
    place = geo.resolve_postcode(postcode) if postcode else None
    return evaluation.evaluate(registry.instrument_get("balanscheck"), answers, place=place)


def test_levels_follow_the_answers():
    assert evaluate(factories.balanced()).level.code == "balanced"
    assert evaluate(factories.overloaded()).level.code == "overloaded"


def test_local_thresholds_change_the_level_for_that_gemeente_only():
    answers = factories.moderate()
    amsterdam = Municipality.objects.get(code="GM0363")
    assert evaluate(answers, "1012").level.code == "attention"
    services.thresholds_update(request=None, municipality=amsterdam, overrides={"burden_heavy": 5})
    assert evaluate(answers, "1012").level.code == "heavy"  # Amsterdam: 5 already counts as heavy
    assert evaluate(answers, "3511").level.code == "attention"  # Utrecht keeps the national default


def test_unknown_threshold_name_is_refused():
    from mantelzorg.assessment import engine

    with pytest.raises(engine.DefinitionError):
        services.thresholds_update(
            request=None,
            municipality=Municipality.objects.get(code="GM0363"),
            overrides={"no_such_threshold": 3},
        )


def test_urgent_signal_puts_urgent_contacts_first():
    outcome = evaluate(factories.overloaded(**{"wellbeing.safety": True}))
    assert outcome.level.urgent
    assert outcome.advice[0].urgent and outcome.advice[0].contact
    assert all(card.urgent for card in outcome.advice[: len(outcome.urgent_cards)])


def test_scores_per_dimension_are_named_in_words_not_codes(client):
    factories.walk(client, factories.overloaded())
    body = client.get("/balanscheck/uitslag/").content.decode()
    assert "Druk per gebied (0-2): Werk of studie" in body
    for code in ("work_study", "own_family", "social_life"):
        assert code not in body


def test_threshold_and_instrument_changes_reach_every_process():
    """Instruments and thresholds are kept per process until the 'assessment' content version
    changes; another process sees a change once its 1-second view of that version expires."""
    from django.db.models import F

    from mantelzorg.assessment.models import LocalThresholds
    from mantelzorg.core import cache
    from mantelzorg.core.models import ContentVersion

    answers = factories.moderate()
    assert evaluate(answers, "1012").level.code == "attention"
    # Another process writes (the row and the version), without touching this process's memory.
    LocalThresholds.objects.create(municipality_id="GM0363", overrides={"burden_heavy": 5})
    assert evaluate(answers, "1012").level.code == "attention"  # not yet: same version seen
    if not ContentVersion.objects.filter(name=registry.CONTENT).update(version=F("version") + 1):
        ContentVersion.objects.create(name=registry.CONTENT, version=1)
    cache._versions.clear()  # this process's one-second view of the versions has expired
    assert evaluate(answers, "1012").level.code == "heavy"


def test_admin_threshold_change_raises_the_version(cast, login_as):
    from mantelzorg.core.cache import content_version, forget_versions

    forget_versions()
    before = content_version(registry.CONTENT)
    client = login_as(cast.admin)
    response = client.post(
        "/beheer/assessment/localthresholds/add/",
        {"municipality": "GM0363", "overrides": '{"burden_heavy": 5}', "note": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    forget_versions()
    assert content_version(registry.CONTENT) > before
    assert evaluate(factories.moderate(), "1012").level.code == "heavy"


def test_the_thresholds_page_is_dutch_in_dutch_and_english_in_english(cast, login_as):
    client = login_as(cast.staff)
    html = client.get("/balanscheck/gemeente/GM0363/drempels/").content.decode()
    assert "local policy" not in html and "not validated" not in html and "For comparison" not in html
    assert "eigen keuze van dit project, niet wetenschappelijk getoetst" in html
    assert "Ter vergelijking: het CBS en het SCP" in html
    client.cookies["django_language"] = "en"
    english = client.get("/balanscheck/gemeente/GM0363/drempels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "local policy, not validated" in english and "eigen keuze" not in english
