"""The organisation endpoints of the API and how tokens authenticate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from childsafe.orgs.models import ApiToken
from childsafe.orgs.services import api_token_create, api_token_revoke


def bearer_for(user, **extra):
    _token, raw = api_token_create(user, name="test", actor=user, **extra)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def education(personas):
    return bearer_for(personas["education_officer"])


def test_me_describes_the_token_owner(client, personas, orgs):
    response = client.get("/api/v1/me", headers=bearer_for(personas["education_officer"]))
    assert response.status_code == 200
    assert response.json() == {
        "username": "education",
        "full_name": "",
        "role": "education_officer",
        "organisation_id": orgs.education.pk,
    }


def test_using_a_token_records_when(client, personas):
    headers = bearer_for(personas["ict_officer"])
    client.get("/api/v1/me", headers=headers)
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_gets_401(client, personas):
    ict = personas["ict_officer"]
    token, raw = api_token_create(ict, name="test", actor=ict)
    api_token_revoke(token, actor=ict)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_an_expired_token_gets_401(client, personas):
    headers = bearer_for(
        personas["ict_officer"], expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_before_its_expiry_works(client, personas):
    headers = bearer_for(personas["ict_officer"], expires_at=timezone.now() + dt.timedelta(days=1))
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_an_inactive_users_token_gets_401(client, personas):
    headers = bearer_for(personas["ict_officer"])
    personas["ict_officer"].is_active = False
    personas["ict_officer"].save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_role_without_permission_gets_403_json(client, personas):
    headers = {**bearer_for(personas["provider_contact"]), "Accept-Language": "en"}
    response = client.get("/api/v1/organisations", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not use this endpoint."}


def test_the_organisation_list_is_scoped(client, education):
    response = client.get("/api/v1/organisations", headers=education)
    assert response.status_code == 200
    assert {o["code"] for o in response.json()} == {"sgddt-qn", "thcs-le-loi"}


def test_province_wide_roles_list_every_organisation(client, personas):
    response = client.get("/api/v1/organisations", headers=bearer_for(personas["auditor"]))
    assert {o["code"] for o in response.json()} >= {"ca-qn", "sgddt-qn", "vnpt-qn"}


def test_the_organisation_list_filters_by_kind(client, personas):
    headers = bearer_for(personas["auditor"])
    response = client.get("/api/v1/organisations?kind=police", headers=headers)
    assert {o["code"] for o in response.json()} == {"ca-qn", "ca-tk"}


def test_it_shows_an_organisation_in_scope(client, orgs, education):
    response = client.get(f"/api/v1/organisations/{orgs.school.pk}", headers=education)
    assert response.status_code == 200
    assert response.json()["code"] == "thcs-le-loi"
    assert response.json()["school_level"] == "lower_secondary"
    assert response.json()["parent_id"] == orgs.education.pk


def test_other_agency_gets_404(client, orgs, education):
    response = client.get(f"/api/v1/organisations/{orgs.police.pk}", headers=education)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_missing_organisation_gets_404(client, education):
    assert client.get("/api/v1/organisations/999999", headers=education).status_code == 404


def test_the_function_holder_is_resolved(client, orgs, education):
    response = client.get("/api/v1/functions/takedown/holder?on=2024-05-01", headers=education)
    assert response.status_code == 200
    body = response.json()
    assert body["function"] == "takedown"
    assert body["on"] == "2024-05-01"
    assert body["organisation"]["id"] == orgs.ict.pk


def test_the_function_holder_defaults_to_today(client, orgs, education):
    response = client.get("/api/v1/functions/crime_reports/holder", headers=education)
    assert response.json()["on"] == timezone.localdate().isoformat()
    assert response.json()["organisation"]["code"] == "ca-qn"


def test_a_function_held_by_nobody_that_day_gives_null(client, education):
    response = client.get("/api/v1/functions/takedown/holder?on=2021-12-31", headers=education)
    assert response.status_code == 200
    assert response.json()["organisation"] is None


def test_it_refuses_post(client, education):
    assert client.post("/api/v1/organisations", headers=education).status_code == 405
