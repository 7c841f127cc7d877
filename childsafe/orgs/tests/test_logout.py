from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent


def test_it_logs_out_on_post(personas, staff_client):
    client = staff_client(personas["ict_officer"])
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


def test_it_is_audited(personas, staff_client):
    staff_client(personas["ict_officer"]).post("/logout/")
    assert AuditEvent.objects.get(action="auth.logout").actor == personas["ict_officer"]


def test_get_is_refused_and_keeps_the_session(personas, staff_client):
    client = staff_client(personas["ict_officer"])
    assert client.get("/logout/").status_code == 405
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_logged_out_post_just_goes_home(client):
    response = client.post("/logout/")
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()
