from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.services import api_token_create


@pytest.fixture
def ict_token(personas):
    token, _raw = api_token_create(
        personas["ict_officer"], name="sync", actor=personas["ict_officer"]
    )
    return token


def test_it_revokes_the_own_token(ict_token, personas, staff_client):
    response = staff_client(personas["ict_officer"]).post(
        f"/account/tokens/{ict_token.pk}/revoke/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/"
    ict_token.refresh_from_db()
    assert ict_token.revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoke").actor == personas["ict_officer"]


def test_revoking_twice_changes_nothing(ict_token, personas, staff_client):
    client = staff_client(personas["ict_officer"])
    client.post(f"/account/tokens/{ict_token.pk}/revoke/")
    ict_token.refresh_from_db()
    first = ict_token.revoked_at
    assert client.post(f"/account/tokens/{ict_token.pk}/revoke/").status_code == 302
    ict_token.refresh_from_db()
    assert ict_token.revoked_at == first
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_another_users_token_gets_404(ict_token, personas, staff_client):
    client = staff_client(personas["education_officer"])
    assert client.post(f"/account/tokens/{ict_token.pk}/revoke/").status_code == 404
    ict_token.refresh_from_db()
    assert ict_token.revoked_at is None


def test_a_province_wide_role_cannot_revoke_anothers_token(ict_token, personas, staff_client):
    client = staff_client(personas["system_admin"])
    assert client.post(f"/account/tokens/{ict_token.pk}/revoke/").status_code == 404


def test_a_missing_token_gets_404(personas, staff_client):
    client = staff_client(personas["ict_officer"])
    assert client.post("/account/tokens/999999/revoke/").status_code == 404


def test_get_is_refused(ict_token, personas, staff_client):
    client = staff_client(personas["ict_officer"])
    assert client.get(f"/account/tokens/{ict_token.pk}/revoke/").status_code == 405
    ict_token.refresh_from_db()
    assert ict_token.revoked_at is None


def test_logged_out_goes_to_login(client, ict_token):
    response = client.post(f"/account/tokens/{ict_token.pk}/revoke/")
    assert response["Location"] == f"/login/?next=/account/tokens/{ict_token.pk}/revoke/"
    ict_token.refresh_from_db()
    assert ict_token.revoked_at is None
