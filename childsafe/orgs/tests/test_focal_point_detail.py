from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import FocalPoint


@pytest.fixture
def ict_point(orgs):
    return FocalPoint.objects.create(
        organisation=orgs.ict, full_name="Lê Văn Tâm", title="Phó phòng", phone="0905111222"
    )


@pytest.fixture
def police_point(orgs):
    return FocalPoint.objects.create(organisation=orgs.police, full_name="Phạm Thị Hoa")


def test_it_shows_the_contact(ict_point, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(f"/focal-points/{ict_point.pk}/")
    assert response.status_code == 200
    assert "Lê Văn Tâm" in response.content.decode()
    assert "0905111222" in response.content.decode()


def test_viewing_a_contact_is_audited(ict_point, personas, staff_client):
    staff_client(personas["ict_officer"]).get(f"/focal-points/{ict_point.pk}/")
    event = AuditEvent.objects.get(action="focal_point.view")
    assert event.actor == personas["ict_officer"]
    assert (event.object_type, event.object_id) == ("orgs.focalpoint", str(ict_point.pk))
    assert "Lê Văn Tâm" not in str(event.detail)


def test_other_agency_gets_404(police_point, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(f"/focal-points/{police_point.pk}/")
    assert response.status_code == 404
    assert "Phạm Thị Hoa" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="focal_point.view").exists()


def test_a_missing_focal_point_gets_404(personas, staff_client):
    assert staff_client(personas["auditor"]).get("/focal-points/999999/").status_code == 404


@pytest.mark.parametrize("role", ["province_coordinator", "auditor"])
def test_province_wide_roles_see_every_contact(police_point, personas, staff_client, role):
    response = staff_client(personas[role]).get(f"/focal-points/{police_point.pk}/")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="focal_point.view").actor == personas[role]


def test_a_role_without_permission_gets_403(ict_point, personas, staff_client):
    client = staff_client(personas["education_officer"])
    assert client.get(f"/focal-points/{ict_point.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(action="focal_point.view").exists()


def test_it_refuses_post(ict_point, personas, staff_client):
    client = staff_client(personas["ict_officer"])
    assert client.post(f"/focal-points/{ict_point.pk}/").status_code == 405


def test_logged_out_goes_to_login(client, ict_point):
    response = client.get(f"/focal-points/{ict_point.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/focal-points/{ict_point.pk}/"
