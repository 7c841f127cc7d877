from __future__ import annotations

import re

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import ApiToken
from childsafe.orgs.services import api_token_create


def test_it_lists_only_the_own_tokens(personas, staff_client):
    ict, education = personas["ict_officer"], personas["education_officer"]
    api_token_create(ict, name="ict sync", actor=ict)
    api_token_create(education, name="education sync", actor=education)
    response = staff_client(ict).get("/account/tokens/")
    assert response.status_code == 200
    assert "ict sync" in response.content.decode()
    assert "education sync" not in response.content.decode()


def test_it_creates_a_token_and_shows_the_secret_once(personas, staff_client):
    client = staff_client(personas["ict_officer"])
    response = client.post("/account/tokens/", {"name": "reporting script"})
    assert response.status_code == 200
    match = re.search(r'<code id="new-token">(cs_[\w-]+)</code>', response.content.decode())
    assert match
    secret = match[1]
    token = ApiToken.objects.get(user=personas["ict_officer"], name="reporting script")
    assert token.digest == ApiToken.digest_of(secret)
    assert secret not in client.get("/account/tokens/").content.decode()


def test_the_new_token_works_on_the_api(personas, staff_client, client):
    response = staff_client(personas["ict_officer"]).post("/account/tokens/", {"name": "x"})
    secret = response.context["new_secret"]
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    assert api.json()["username"] == "ict"


def test_creating_a_token_is_audited(personas, staff_client):
    staff_client(personas["ict_officer"]).post("/account/tokens/", {"name": "x"})
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == personas["ict_officer"]


def test_an_empty_name_is_a_form_error(personas, staff_client):
    response = staff_client(personas["ict_officer"]).post("/account/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_an_empty_post_is_a_form_error(personas, staff_client):
    response = staff_client(personas["ict_officer"]).post("/account/tokens/", {})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_refuses_put(personas, staff_client):
    assert staff_client(personas["ict_officer"]).put("/account/tokens/").status_code == 405


def test_a_role_without_permission_gets_403(personas, staff_client):
    client = staff_client(personas["auditor"])
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_logged_out_goes_to_login(client, db):
    assert client.get("/account/tokens/")["Location"] == "/login/?next=/account/tokens/"
