"""GET /api/v1/cases and /api/v1/cases/{id}: case metadata, scoped like the pages."""

from __future__ import annotations

from childsafe.orgs.services import api_token_create


def bearer_for(user):
    _token, raw = api_token_create(user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_the_visible_cases(police_case, shared_case, personas, client):
    response = client.get("/api/v1/cases", headers=bearer_for(personas["education_officer"]))
    assert response.status_code == 200
    assert [c["reference"] for c in response.json()] == [shared_case.reference]


def test_it_searches_without_diacritics(police_case, shared_case, personas, client):
    headers = bearer_for(personas["province_coordinator"])
    response = client.get("/api/v1/cases?q=ZALÔ", headers=headers)
    assert [c["id"] for c in response.json()] == [police_case.pk]


def test_it_describes_a_case_with_its_agencies(police_case, orgs, personas, client):
    headers = bearer_for(personas["police_investigator"])
    response = client.get(f"/api/v1/cases/{police_case.pk}", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == police_case.reference
    assert [(t["organisation_id"], t["function"], t["status"]) for t in body["agency_tasks"]] == [
        (orgs.district_police.pk, "crime_reports", "proposed")
    ]
    assert "search_text" not in body


def test_another_agency_gets_404(police_case, personas, client):
    headers = bearer_for(personas["education_officer"])
    response = client.get(f"/api/v1/cases/{police_case.pk}", headers=headers)
    assert response.status_code == 404


def test_a_bad_status_is_a_422(personas, client, db):
    headers = bearer_for(personas["province_coordinator"])
    assert client.get("/api/v1/cases?status=nope", headers=headers).status_code == 422


def test_roles_without_case_view_get_403(personas, client):
    headers = bearer_for(personas["provider_contact"])
    assert client.get("/api/v1/cases", headers=headers).status_code == 403


def test_no_token_gets_401(client, db):
    assert client.get("/api/v1/cases").status_code == 401
