from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.audit.models import AuditEvent
from childsafe.testing import PASSWORD


def code_for(device: TOTPDevice, *, wrong: bool = False) -> str:
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    if wrong:
        token = (token + 1) % 10**6
    return f"{token:06d}"


@pytest.fixture
def ict(personas):
    return personas["ict_officer"]


@pytest.fixture
def half_logged_in(client, ict):
    """Password done, second factor not yet."""
    client.force_login(ict)
    return client


@pytest.fixture
def enrolling(client, ict):
    """A user whose role needs two-factor login and who has no device yet."""
    TOTPDevice.objects.filter(user=ict).delete()
    client.force_login(ict)
    return client


def test_it_asks_for_the_code(half_logged_in):
    response = half_logged_in.get("/login/2fa/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_a_correct_code_verifies_and_opens_the_dashboard(half_logged_in, ict):
    device = TOTPDevice.objects.get(user=ict)
    response = half_logged_in.post("/login/2fa/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert half_logged_in.get("/dashboard/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_verified", actor=ict).exists()


def test_a_wrong_code_gets_400_and_no_access(half_logged_in, ict):
    device = TOTPDevice.objects.get(user=ict)
    response = half_logged_in.post("/en/login/2fa/", {"code": code_for(device, wrong=True)})
    assert response.status_code == 400
    assert "This code is not valid" in response.content.decode()
    assert half_logged_in.get("/dashboard/")["Location"] == "/login/2fa/"
    assert not AuditEvent.objects.filter(action="auth.2fa_verified").exists()


def test_a_code_that_is_not_six_digits_is_a_form_error(half_logged_in):
    response = half_logged_in.post("/login/2fa/", {"code": "12ab56"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_an_empty_post_is_a_form_error(half_logged_in):
    response = half_logged_in.post("/login/2fa/", {})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_a_code_cannot_be_used_twice(client, half_logged_in, ict):
    device = TOTPDevice.objects.get(user=ict)
    code = code_for(device)
    assert half_logged_in.post("/login/2fa/", {"code": code}).status_code == 302
    half_logged_in.post("/logout/")
    client.force_login(ict)
    assert client.post("/login/2fa/", {"code": code}).status_code == 400


def test_it_goes_on_to_the_page_asked_for_at_login(client, ict):
    client.post("/login/", {"username": "ict", "password": PASSWORD, "next": "/en/organisations/"})
    device = TOTPDevice.objects.get(user=ict)
    response = client.post("/login/2fa/", {"code": code_for(device)})
    assert response["Location"] == "/en/organisations/"


def test_enrolment_shows_a_qr_code_and_the_secret(enrolling, ict):
    response = enrolling.get("/login/2fa/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=ict)
    assert not device.confirmed
    secret = response.context["secret"]
    assert f'<code id="totp-secret">{secret}</code>' in page
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key


def test_enrolment_with_a_correct_code_confirms_the_device(enrolling, ict):
    enrolling.get("/login/2fa/")
    device = TOTPDevice.objects.get(user=ict)
    response = enrolling.post("/login/2fa/", {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert enrolling.get("/dashboard/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled", actor=ict).exists()


def test_enrolment_with_a_wrong_code_leaves_the_device_unconfirmed(enrolling, ict):
    enrolling.get("/login/2fa/")
    device = TOTPDevice.objects.get(user=ict)
    response = enrolling.post("/login/2fa/", {"code": code_for(device, wrong=True)})
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    assert enrolling.get("/dashboard/")["Location"] == "/login/2fa/"
    assert not AuditEvent.objects.filter(action="auth.2fa_enrolled").exists()


def test_enrolment_keeps_one_pending_device(enrolling, ict):
    enrolling.get("/login/2fa/")
    enrolling.get("/login/2fa/")
    assert TOTPDevice.objects.filter(user=ict).count() == 1


def test_another_users_device_does_not_count(enrolling, ict, personas):
    other = TOTPDevice.objects.get(user=personas["education_officer"])
    response = enrolling.post("/login/2fa/", {"code": code_for(other)})
    assert response.status_code == 400


@pytest.mark.django_db
def test_logged_out_goes_to_login(client):
    response = client.get("/login/2fa/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/login/2fa/"


def test_it_refuses_put(half_logged_in):
    assert half_logged_in.put("/login/2fa/").status_code == 405
