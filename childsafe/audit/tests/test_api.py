from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_record
from childsafe.orgs.services import api_token_create


def bearer_for(user):
    _token, raw = api_token_create(user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def auditor(personas):
    return bearer_for(personas["auditor"])


def test_it_returns_events_in_order_after_a_seq(client, auditor):
    for n in range(3):
        audit_record("test.event", actor="unit test", detail={"n": n})
    last_seq = AuditEvent.objects.filter(action="test.event").order_by("seq").first().seq
    response = client.get(
        f"/api/v1/audit/events?after_seq={last_seq}&action=test.", headers=auditor
    )
    assert response.status_code == 200
    assert [e["detail"] for e in response.json()] == [{"n": 1}, {"n": 2}]


def test_it_caps_the_limit(client, auditor):
    for _ in range(3):
        audit_record("test.event", actor="unit test")
    response = client.get("/api/v1/audit/events?limit=2", headers=auditor)
    assert len(response.json()) == 2


def test_reading_is_audited(client, personas, auditor):
    client.get("/api/v1/audit/events", headers=auditor)
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor == personas["auditor"]


def test_a_role_that_is_not_auditor_gets_403(client, personas):
    headers = bearer_for(personas["province_coordinator"])
    assert client.get("/api/v1/audit/events", headers=headers).status_code == 403


@pytest.mark.django_db
def test_no_token_gets_401(client):
    assert client.get("/api/v1/audit/events").status_code == 401
