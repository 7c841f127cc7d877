from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import FocalPoint


@pytest.fixture
def points(orgs):
    return {
        "ict": FocalPoint.objects.create(
            organisation=orgs.ict, full_name="Lê Văn Tâm", title="Phó phòng"
        ),
        "police": FocalPoint.objects.create(
            organisation=orgs.police, full_name="Phạm Thị Hoa", title="Đội trưởng"
        ),
    }


def test_it_lists_the_own_agencys_focal_points(points, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/focal-points/")
    assert response.status_code == 200
    assert list(response.context["points"]) == [points["ict"]]
    assert f'href="/focal-points/{points["ict"].pk}/"' in response.content.decode()


def test_it_keeps_names_off_the_list_and_out_of_the_audit_trail(points, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/focal-points/")
    assert "Lê Văn Tâm" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="focal_point.view").exists()


def test_other_agencies_focal_points_are_not_listed(points, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/focal-points/")
    assert points["police"] not in response.context["points"]
    assert f'href="/focal-points/{points["police"].pk}/"' not in response.content.decode()


def test_province_wide_roles_see_every_focal_point(points, personas, staff_client):
    response = staff_client(personas["auditor"]).get("/focal-points/")
    assert set(response.context["points"]) == set(points.values())


def test_a_role_without_permission_gets_403(personas, staff_client):
    assert staff_client(personas["education_officer"]).get("/focal-points/").status_code == 403


def test_it_refuses_post(personas, staff_client):
    assert staff_client(personas["ict_officer"]).post("/focal-points/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/focal-points/")["Location"] == "/login/?next=/focal-points/"
