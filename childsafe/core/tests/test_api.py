"""The API as a whole (``childsafe/api.py``): the OpenAPI document and error bodies."""

from __future__ import annotations

import pytest

from childsafe.orgs.services import api_token_create


@pytest.fixture
def bearer(personas):
    ict = personas["ict_officer"]
    _token, raw = api_token_create(ict, name="test", actor=ict)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
def test_the_openapi_document_is_public_and_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ChildSafe API"
    assert "/api/v1/organisations/{org_id}" in document["paths"]


@pytest.mark.django_db
def test_the_openapi_document_declares_bearer_auth(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}
    assert all(op.get("security") for ops in document["paths"].values() for op in ops.values())


@pytest.mark.django_db
def test_the_docs_page_is_public(client):
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_no_token_gets_401_json(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "A valid API token is required."}


@pytest.mark.django_db
def test_api_messages_are_vietnamese_by_default(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Language"] == "vi"
    assert response.json() == {"detail": "Cần có mã truy cập API hợp lệ."}


@pytest.mark.django_db
def test_an_unknown_token_gets_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cs_nonsense"})
    assert response.status_code == 401


def test_a_logged_in_session_is_no_api_credential(personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/api/v1/me")
    assert response.status_code == 401


def test_a_bad_path_parameter_gets_422_naming_the_field(client, bearer):
    response = client.get("/api/v1/organisations/abc", headers={**bearer, "Accept-Language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid."
    assert [e["field"] for e in body["errors"]] == ["org_id"]
    assert body["errors"][0]["message"]


def test_a_bad_enum_value_gets_422_naming_the_field(client, bearer):
    response = client.get("/api/v1/functions/bogus/holder", headers=bearer)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["function"]


def test_a_bad_query_parameter_gets_422_naming_the_field(client, bearer):
    response = client.get("/api/v1/functions/takedown/holder?on=yesterday", headers=bearer)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["on"]


def test_validation_comes_after_authentication(client):
    assert client.get("/api/v1/organisations/abc").status_code == 401
