from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from childsafe.audit.models import AuditEvent
from childsafe.testing import PASSWORD


@pytest.fixture(autouse=True)
def _personas(personas):
    """Every test here logs in as one of the personas."""


def log_in(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_it_shows_the_login_form(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_it_refuses_put(client):
    assert client.put("/login/").status_code == 405


def test_a_bad_password_gets_400_and_a_message(client, personas):
    response = client.post("/en/login/", {"username": "provider", "password": "wrong-password"})
    assert response.status_code == 400
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_form_gets_400(client, personas):
    response = client.post("/login/", {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username", "password"}


def test_a_provider_contact_reaches_the_dashboard_with_a_password_only(client, personas):
    response = log_in(client, "provider")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_two_factor_role_is_sent_to_the_second_step(client, personas):
    response = log_in(client, "ict")
    assert response.status_code == 302
    assert response["Location"] == "/login/2fa/"


def test_a_two_factor_role_cannot_reach_the_dashboard_before_verifying(client, personas):
    log_in(client, "ict")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/login/2fa/"


def test_it_follows_next_on_the_same_site(client, personas):
    response = log_in(client, "provider", next="/en/dashboard/")
    assert response["Location"] == "/en/dashboard/"


def test_it_ignores_next_to_another_host(client, personas):
    response = log_in(client, "provider", next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_it_ignores_a_scheme_relative_next(client, personas):
    response = client.post(
        "/login/?next=//evil.example/", {"username": "provider", "password": PASSWORD}
    )
    assert response["Location"] == "/dashboard/"


def test_the_form_carries_the_dashboard_instead_of_a_foreign_next(client):
    response = client.get("/login/?next=https://evil.example/")
    assert '<input type="hidden" name="next" value="/dashboard/">' in response.content.decode()


def test_the_form_carries_a_same_site_next(client):
    response = client.get("/en/login/?next=/en/organisations/")
    assert 'name="next" value="/en/organisations/"' in response.content.decode()


def test_an_inactive_user_cannot_log_in(client, personas):
    personas["provider_contact"].is_active = False
    personas["provider_contact"].save(update_fields=["is_active"])
    assert log_in(client, "provider").status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_login_is_audited(client, personas):
    log_in(client, "provider")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == personas["provider_contact"]
    assert event.ip == "127.0.0.1"


def test_a_failed_login_is_audited_without_the_username(client, personas):
    client.post("/login/", {"username": "provider", "password": "wrong-password"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.actor_label == "anonymous"
    assert event.detail == {}
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("provider" in str(value) for value in row.values())


def test_five_failures_lock_the_account_with_429(client, personas):
    for _ in range(4):
        assert log_in(client, "provider", password="wrong-password").status_code == 400
    response = log_in(client, "provider", password="wrong-password")
    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username="provider").get().failures_since_start == 5
    # Even the right password is refused while the lock lasts.
    locked = client.post("/en/login/", {"username": "provider", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_only_that_username(client, personas):
    for _ in range(5):
        log_in(client, "provider", password="wrong-password")
    assert log_in(client, "ict").status_code == 302


def test_a_success_resets_the_failure_count(client, personas):
    for _ in range(4):
        log_in(client, "provider", password="wrong-password")
    assert log_in(client, "provider").status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert log_in(client, "provider", password="wrong-password").status_code == 400
