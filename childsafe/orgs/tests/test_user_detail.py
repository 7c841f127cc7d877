import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.audit.models import AuditEvent


@pytest.mark.django_db
def test_admin_sees_account(personas, staff_client):
    target = personas["police_investigator"]
    response = staff_client(personas["system_admin"]).get(f"/users/{target.pk}/")
    assert response.status_code == 200
    assert target.username in response.content.decode()


@pytest.mark.django_db
def test_missing_account_is_404(personas, staff_client):
    assert staff_client(personas["system_admin"]).get("/users/999999/").status_code == 404


@pytest.mark.django_db
def test_other_roles_are_refused(personas, staff_client):
    target = personas["police_investigator"]
    for role in ("ict_officer", "auditor", "province_coordinator"):
        assert staff_client(personas[role]).get(f"/users/{target.pk}/").status_code == 403


@pytest.mark.django_db
def test_deactivate_and_reactivate(personas, staff_client):
    target = personas["police_investigator"]
    client = staff_client(personas["system_admin"])
    assert client.post(f"/users/{target.pk}/active/").status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    client.post(f"/users/{target.pk}/active/")
    target.refresh_from_db()
    assert target.is_active
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["user.deactivate", "user.activate"]


@pytest.mark.django_db
def test_admin_cannot_deactivate_self(personas, staff_client):
    admin = personas["system_admin"]
    staff_client(admin).post(f"/users/{admin.pk}/active/")
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.django_db
def test_deactivate_needs_post(personas, staff_client):
    target = personas["police_investigator"]
    response = staff_client(personas["system_admin"]).get(f"/users/{target.pk}/active/")
    assert response.status_code == 405


@pytest.mark.django_db
def test_reset_two_factor_removes_devices(personas, staff_client):
    target = personas["police_investigator"]
    assert TOTPDevice.objects.filter(user=target).exists()
    response = staff_client(personas["system_admin"]).post(f"/users/{target.pk}/reset-2fa/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action="user.reset_2fa", object_id=str(target.pk)).exists()
