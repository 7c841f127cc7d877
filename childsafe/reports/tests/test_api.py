"""POST /api/v1/reports and GET /api/v1/reports/status."""

from __future__ import annotations

import pytest
from django.utils import timezone

from childsafe.orgs.services import api_token_create
from childsafe.reports.models import Channel, EvidenceFile, Report
from childsafe.reports.tests.conftest import upload
from childsafe.testing import PHP_BYTES, bomb_png, image_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"


def body(**overrides):
    values = {
        "category": "csam",
        "urls": ["https://www.example.com/p/123?utm_source=share"],
        "platform": "Example",
        "description": "Reported by a user of our platform",
    }
    values.update(overrides)
    return values


@pytest.fixture
def bearer(personas):
    def make(role: str) -> dict[str, str]:
        user = personas[role]
        _token, raw = api_token_create(user, name="intake", actor=user)
        return {"Authorization": f"Bearer {raw}"}

    return make


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# --- Happy paths -------------------------------------------------------------------------


def test_an_anonymous_caller_submits_json_and_gets_201(client):
    response = client.post(URL, body(), content_type="application/json")
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"tracking_code", "access_key", "status_url"}
    assert answer["status_url"] == "http://testserver/bao-cao/tra-cuu/"
    report = Report.objects.get(tracking_code=answer["tracking_code"])
    assert report.channel == Channel.API
    assert report.received_by is None
    assert report.urls.get().normalised == "https://example.com/p/123"


def test_a_provider_submits_with_its_token(client, bearer, personas):
    response = client.post(
        URL, body(), content_type="application/json", headers=bearer("provider_contact")
    )
    assert response.status_code == 201
    assert Report.objects.get().received_by == personas["provider_contact"]


def test_multipart_carries_fields_and_files(client):
    picture = image_bytes("WEBP")
    response = client.post(
        URL,
        {
            "category": "grooming",
            "urls": ["https://a.example/1", "https://b.example/2"],
            "child_in_danger": "true",
            "occurred_on": "",
            "files": [upload(picture, "one.webp"), upload()],
        },
    )
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert report.child_in_danger
    assert report.urls.count() == 2
    assert sorted(report.files.values_list("content_type", flat=True)) == [
        "image/png",
        "image/webp",
    ]


def test_the_status_endpoint_answers_the_public_status(client):
    answer = client.post(URL, body(), content_type="application/json").json()
    response = client.get(
        "/api/v1/reports/status",
        {"code": answer["tracking_code"], "key": answer["access_key"]},
    )
    assert response.status_code == 200
    status = response.json()
    assert set(status) == {"tracking_code", "status", "status_label", "received_on"}
    assert (status["tracking_code"], status["status"]) == (answer["tracking_code"], "received")
    report = Report.objects.get()
    assert status["received_on"] == timezone.localdate(report.received_at).isoformat()


def test_the_status_speaks_the_callers_language(client):
    answer = client.post(URL, body(), content_type="application/json").json()
    query = {"code": answer["tracking_code"], "key": answer["access_key"]}
    english = client.get("/api/v1/reports/status", query, headers={"Accept-Language": "en"})
    assert english.json()["status_label"] == "Received"


def test_the_status_endpoint_answers_404_to_a_wrong_key(client):
    answer = client.post(URL, body(), content_type="application/json").json()
    response = client.get(
        "/api/v1/reports/status", {"code": answer["tracking_code"], "key": "WRONG"}
    )
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_status_endpoint_needs_both_parameters(client):
    response = client.get("/api/v1/reports/status", {"code": "BC-22222222"})
    assert response.status_code == 422
    assert "key" in fields(response)


# --- Tokens ------------------------------------------------------------------------------


def test_a_role_without_the_permission_gets_403(client, bearer, nothing_stored):
    with nothing_stored():
        response = client.post(
            URL, body(), content_type="application/json", headers=bearer("ict_officer")
        )
    assert response.status_code == 403


def test_an_invalid_token_gets_401_even_though_anonymous_calls_are_allowed(client, nothing_stored):
    with nothing_stored():
        response = client.post(
            URL,
            body(),
            content_type="application/json",
            headers={"Authorization": "Bearer cs_wrong"},
        )
    assert response.status_code == 401
    response = client.post(
        URL, body(), content_type="application/json", headers={"Authorization": "Basic eDp5"}
    )
    assert response.status_code == 401


# --- Bad input: 4xx naming the field, nothing stored ---------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(category="spam"), "category"),
        ({"urls": ["https://example.com/"]}, "category"),
        (body(urls=["javascript:alert(1)"]), "urls"),
        (body(urls=["https://example.com/x"] * 21), "urls"),
        (body(description="x" * 5001), "description"),
        (body(occurred_on="soon"), "occurred_on"),
        (body(reporter_relation="boss"), "reporter_relation"),
        (body(child_age_group="ancient"), "child_age_group"),
        (body(urls=[], description=""), "description"),
        (body(extra_field=1), "extra_field"),
        (body(child_in_danger="perhaps"), "child_in_danger"),
    ],
)
def test_bad_json_gets_422_naming_the_field(client, nothing_stored, payload, field):
    with nothing_stored():
        response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert field in fields(response)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_gets_422(client, nothing_stored, raw):
    with nothing_stored():
        response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]


def test_another_content_type_gets_415(client, nothing_stored):
    with nothing_stored():
        response = client.post(URL, "category=csam", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["detail"]


def test_a_body_over_the_upload_limit_gets_413(client, nothing_stored, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    with nothing_stored():
        response = client.post(URL, body(description="x" * 2000), content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (PHP_BYTES, "shell.jpg"),
        (image_bytes("JPEG", size=(64, 64))[:300], "corrupt.jpg"),
        (bomb_png(), "bomb.png"),
    ],
)
def test_bad_files_get_422_naming_files(client, nothing_stored, content, name):
    with nothing_stored():
        response = client.post(
            URL, {"category": "csam", "files": [upload(content, name, content_type="image/jpeg")]}
        )
    assert response.status_code == 422
    assert fields(response) == {"files"}
    assert EvidenceFile.objects.count() == 0


def test_an_oversized_file_gets_422(client, nothing_stored, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with nothing_stored():
        response = client.post(URL, {"category": "csam", "files": [upload(b"\x00" * 2048)]})
    assert response.status_code == 422
    assert fields(response) == {"files"}


def test_files_under_another_name_get_422(client, nothing_stored):
    with nothing_stored():
        response = client.post(URL, {"category": "csam", "evidence": [upload()]})
    assert response.status_code == 422
    assert fields(response) == {"evidence"}


# --- Idempotency -------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_makes_one_report(client):
    headers = {"Idempotency-Key": "6f1c0a52-2b0e-4a55-9d1f-6c3c4b1f0a77"}
    first = client.post(URL, body(), content_type="application/json", headers=headers)
    again = client.post(URL, body(), content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Report.objects.count() == 1


def test_a_token_callers_key_is_theirs_alone(client, bearer):
    headers = {"Idempotency-Key": "batch-1"}
    provider = client.post(
        URL,
        body(),
        content_type="application/json",
        headers={**headers, **bearer("provider_contact")},
    )
    hotline = client.post(
        URL,
        body(),
        content_type="application/json",
        headers={**headers, **bearer("hotline_operator")},
    )
    assert provider.json()["tracking_code"] != hotline.json()["tracking_code"]
    assert Report.objects.count() == 2


def test_anonymous_keys_are_scoped_to_the_address(client):
    headers = {"Idempotency-Key": "k-1"}
    first = client.post(URL, body(), content_type="application/json", headers=headers)
    other = client.post(
        URL, body(), content_type="application/json", headers=headers, REMOTE_ADDR="192.0.2.8"
    )
    assert first.json()["tracking_code"] != other.json()["tracking_code"]


def test_the_same_key_for_a_different_report_gets_422(client):
    headers = {"Idempotency-Key": "k-2"}
    client.post(URL, body(), content_type="application/json", headers=headers)
    response = client.post(
        URL, body(description="another"), content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert fields(response) == {"Idempotency-Key"}
    assert Report.objects.count() == 1


def test_a_multipart_retry_with_files_makes_one_report(client):
    headers = {"Idempotency-Key": "k-3"}
    picture = image_bytes("PNG")
    answers = [
        client.post(URL, {"category": "csam", "files": [upload(picture)]}, headers=headers)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert EvidenceFile.objects.count() == 1


# --- Floods ------------------------------------------------------------------------------


def test_a_flood_of_anonymous_calls_gets_429(client, settings):
    settings.REPORT_SUBMIT_RATE_PER_HOUR = 2
    codes = [
        client.post(URL, body(), content_type="application/json").status_code for _ in range(4)
    ]
    assert codes == [201, 201, 429, 429]
    limited = client.post(URL, body(), content_type="application/json")
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["detail"]
    assert Report.objects.count() == 2


def test_token_callers_are_not_rate_limited(client, settings, bearer):
    settings.REPORT_SUBMIT_RATE_PER_HOUR = 1
    headers = bearer("provider_contact")
    codes = [
        client.post(URL, body(), content_type="application/json", headers=headers).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 201]


def test_status_guessing_gets_429(client, settings):
    settings.REPORT_STATUS_RATE_PER_HOUR = 2
    codes = [
        client.get("/api/v1/reports/status", {"code": "BC-22222222", "key": "x"}).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]


# --- Documentation -----------------------------------------------------------------------


def test_the_openapi_document_describes_both_body_formats_and_anonymous_use(client):
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/reports"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert {} in operation["security"]
    assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
