"""API: POST /api/v1/checks/ (our JSON and FHIR), errors, FHIR Questionnaire endpoints, QR export."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from mantelzorg.assessment import engine
from mantelzorg.assessment.models import AnonymousContribution, SavedCheck
from mantelzorg.assessment.tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/checks/"


def post_json(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def test_json_check_returns_level_advice_and_offers_and_stores_nothing(client):
    factories.organization("Steunpunt Den Bosch", kind="support_centre", municipalities=["GM0796"])
    factories.service("Respijt Den Bosch", domains=["respite"], postcode="5211")
    response = post_json(
        client, {"instrument": "balanscheck", "postcode": "5211", "answers": factories.overloaded()}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["level"]["code"] == "overloaded" and data["level"]["label"]["nl"] == "Overbelast"
    assert data["scores"]["overall_burden"] == 9 and data["reasons"]
    card = data["advice"][0]
    from mantelzorg.assessment.balance import SUPPORT_DOMAINS

    assert card["support_domain"] in SUPPORT_DOMAINS and 1 <= card["ladder_step"] <= 5
    assert any(c["urgent"] is False and c["support_domain"] == "respite" for c in data["advice"])
    offers = data["offers"]
    assert (
        offers["municipality"] == "GM0796" and offers["support_centres"][0]["name"] == "Steunpunt Den Bosch"
    )
    assert offers["local"][0]["name"] == "Respijt Den Bosch" and offers["local"][0]["distance_km"] is not None
    assert SavedCheck.objects.count() == 0 and AnonymousContribution.objects.count() == 0


def test_fhir_questionnaire_response_is_accepted(client):
    instrument = engine.load_all_builtin()["balanscheck"]
    qr = engine.answers_to_questionnaire_response(instrument, factories.balanced())
    response = client.post(f"{URL}?postcode=1012", json.dumps(qr), content_type="application/fhir+json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["level"]["code"] == "balanced" and data["offers"]["postcode"] == "1012"


def test_carerqol_via_api_has_scores_without_level(client):
    answers = {
        k: "no" for k in ("relational", "mental_health", "daily_activities", "financial", "physical_health")
    }
    answers.update({"fulfilment": "a_lot", "support": "some", "happiness": 7})
    data = post_json(client, {"instrument": "carerqol", "answers": answers}).json()
    assert data["scores"] == {"total": 13, "happiness": 7} and data["level"] is None


@pytest.mark.parametrize(
    "body, link_id, code",
    [
        ({"answers": {"about.care_hours": 500}}, "about.care_hours", "out_of_range"),
        ({"answers": {"no.such.item": 1}}, "no.such.item", "unknown_item"),
        ({"answers": {"about.relation": "cousin"}}, "about.relation", "invalid_option"),
        ({"answers": {"overall_burden": "eight"}}, "overall_burden", "invalid_type"),
        ({"answers": {}}, "about.age_group", "required"),
    ],
)
def test_bad_answers_name_the_link_id(client, body, link_id, code):
    response = post_json(client, body)
    assert response.status_code == 400
    assert {"linkId": link_id, "code": code} in [
        {"linkId": e.get("linkId"), "code": e["code"]} for e in response.json()["errors"]
    ]


@pytest.mark.parametrize(
    "raw, content_type, code",
    [
        ("{not json", "application/json", "invalid_json"),
        ("[1, 2]", "application/json", "invalid_type"),
        (json.dumps({"instrument": "nope", "answers": {}}), "application/json", "unknown_questionnaire"),
        (json.dumps({"answers": factories.balanced(), "postcode": "12"}), "application/json", "malformed"),
        (json.dumps({"answers": factories.balanced(), "postcode": "1000"}), "application/json", "unknown"),
        (json.dumps({"answers": [], "extra": 1}), "application/json", "unknown_field"),
        (
            json.dumps(
                {"resourceType": "QuestionnaireResponse", "questionnaire": "x", "status": "completed"}
            ),
            "application/fhir+json",
            "unknown_questionnaire",
        ),
        ("answers=1", "text/plain", "unsupported_media_type"),
    ],
)
def test_bad_requests_are_4xx_with_errors_never_500(client, raw, content_type, code):
    response = client.post(URL, raw, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert code in [e["code"] for e in response.json()["errors"]]


def test_fhir_response_for_wrong_item_names_it(client):
    qr = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0",
        "item": [
            {"linkId": "about", "item": [{"linkId": "about.care_hours", "answer": [{"valueString": "many"}]}]}
        ],
    }
    response = client.post(URL, json.dumps(qr), content_type="application/fhir+json")
    assert response.status_code == 400
    assert any(
        e.get("linkId") == "about.care_hours" and e["code"] == "invalid_type"
        for e in response.json()["errors"]
    )


def test_check_api_query_count_is_constant(client, django_assert_max_num_queries):
    body = {"postcode": "1012", "answers": factories.overloaded()}
    factories.organization("Steunpunt", kind="support_centre", municipalities=["GM0363"])
    post_json(client, body)  # warm the per-process instrument cache
    # Worst case: two searches of the sociale kaart (15 km, then 25 km when fewer than 3 offers).
    for total in (1, 10, 40):
        for i in range(total - (1 if total > 1 else 0)):
            factories.service(
                f"Dienst {total}-{i}", domains=["respite", "emotional_support"], postcode="1012"
            )
        with django_assert_max_num_queries(22):  # 21 + the directory's content version
            assert post_json(client, body).status_code == 200


def test_fhir_questionnaire_bundle_and_read_validate_as_r4b(client):
    response = client.get("/api/fhir/Questionnaire")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset" and {e.resource.id for e in bundle.entry} >= {"balanscheck", "carerqol"}
    one = client.get("/api/fhir/Questionnaire/carerqol")
    assert Questionnaire.model_validate(one.json()).url == "https://mantelzorg.nl/fhir/Questionnaire/carerqol"
    missing = client.get("/api/fhir/Questionnaire/nope")
    assert missing.status_code == 404 and missing.json()["resourceType"] == "OperationOutcome"


def test_saved_check_as_fhir_response_with_scores(cast, login_as):
    check = factories.SavedCheckFactory(owner=cast.caregiver, answers=factories.overloaded())
    response = login_as(cast.caregiver).get(f"/api/v1/checks/{check.id}/fhir")
    assert response.status_code == 200
    qr = QuestionnaireResponse.model_validate(response.json())
    assert qr.questionnaire == "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0"
    scores = {e.extension[0].valueCode: e.extension[1] for e in qr.extension if e.url == engine.SCORE_URL}
    assert scores["overall_burden"].valueInteger == 9


def test_openapi_documents_the_check_operation(client, admin_user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/checks/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "application/fhir+json"}
    assert "400" in operation["responses"] and "200" in operation["responses"]


def test_a_body_that_is_not_an_object_is_a_400_in_the_one_error_shape(client):
    """POST [1]: 400 with ``errors`` whose every item carries field, code and message."""
    response = client.post(URL, "[1]", content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all({"field", "code", "message"} <= set(e) for e in errors)
    assert errors[0]["code"] == "invalid_type"


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"about.care_hours": 500}},
        {"answers": {}},
        {"answers": [], "extra": 1, "instrument": 3},
        {"answers": factories.balanced(), "postcode": "12"},
    ],
)
def test_every_error_item_carries_field_code_and_message(client, body):
    response = post_json(client, body)
    assert response.status_code == 400
    for error in response.json()["errors"]:
        assert {"field", "code", "message"} <= set(error)
        if "linkId" in error:  # an error about an answer names its item as the field too
            assert error["field"] == error["linkId"]
