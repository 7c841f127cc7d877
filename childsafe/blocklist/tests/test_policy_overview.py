"""/filter/ and POST /filter/requests/<id>/decide/: the education officer's view of the
schools and the allow requests."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.policy import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_entry(personas, orgs):
    return services.school_allow_request(
        orgs.school, actor=personas["school_it_admin"], domain="wiki.example", reason="Research"
    )


def decide(client, entry, **data):
    return client.post(f"/en/filter/requests/{entry.pk}/decide/", data)


def test_the_officer_sees_schools_and_pending_requests(personas, staff_client, request_entry):
    response = staff_client(personas["education_officer"]).get("/en/filter/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trường THCS Lê Lợi" in text
    assert "wiki.example" in text
    assert "Decide" in text


def test_the_coordinator_sees_them_read_only(personas, staff_client, request_entry):
    client = staff_client(personas["province_coordinator"])
    text = client.get("/en/filter/").content.decode()
    assert "wiki.example" in text
    assert "Decide" not in text
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 403


def test_the_officer_approves_with_a_reason(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    response = decide(client, request_entry, decision="approve", reason="Needed for class")
    assert response.status_code == 302
    request_entry.refresh_from_db()
    assert (request_entry.status, request_entry.reason) == ("approved", "Needed for class")
    assert AuditEvent.objects.filter(action="filter.allow_approve").exists()
    again = decide(client, request_entry, decision="refuse", reason="x")
    assert again.status_code == 409


def test_a_decision_without_a_reason_is_a_form_error(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    response = decide(client, request_entry, decision="refuse", reason="")
    assert response.status_code == 400
    request_entry.refresh_from_db()
    assert request_entry.status == "requested"


def test_wrong_method_and_missing_request(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    assert client.get(f"/en/filter/requests/{request_entry.pk}/decide/").status_code == 405
    assert client.post("/en/filter/").status_code == 405
    missing = client.post("/en/filter/requests/999999/decide/", {"decision": "approve"})
    assert missing.status_code == 404


def test_a_deny_entry_is_not_a_request_to_decide(personas, orgs, staff_client):
    deny = services.school_deny_add(
        orgs.school, actor=personas["school_it_admin"], domain="g.example"
    )
    client = staff_client(personas["education_officer"])
    assert decide(client, deny, decision="approve", reason="x").status_code == 404


def test_logged_out_goes_to_login(client, request_entry):
    assert client.get("/en/filter/").status_code == 302
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 302
    request_entry.refresh_from_db()
    assert request_entry.status == "requested"


def test_school_it_admins_are_refused(personas, staff_client, request_entry):
    client = staff_client(personas["school_it_admin"])
    assert client.get("/en/filter/").status_code == 403
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 403
