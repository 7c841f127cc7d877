from __future__ import annotations

import csv
import io

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import FocalPoint


@pytest.fixture
def points(orgs):
    FocalPoint.objects.create(
        organisation=orgs.ict,
        full_name="Lê Văn Tâm",
        title="Phó phòng",
        phone="0905111222",
        email="tam@example.vn",
    )
    FocalPoint.objects.create(organisation=orgs.police, full_name="Phạm Thị Hoa")


def rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_it_exports_every_contact_as_csv(points, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get("/en/focal-points/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="focal-points.csv"'
    header, *body = rows(response)
    assert header == ["Full name", "Unit", "Title", "Phone", "E-mail"]
    assert sorted(body) == [
        [
            "Lê Văn Tâm",
            "Sở Thông tin và Truyền thông",
            "Phó phòng",
            "0905111222",
            "tam@example.vn",
        ],
        ["Phạm Thị Hoa", "Công an tỉnh Quảng Nam", "", "", ""],
    ]


def test_an_export_is_audited_without_the_contacts(points, personas, staff_client):
    staff_client(personas["province_coordinator"]).get("/focal-points/export.csv")
    event = AuditEvent.objects.get(action="focal_point.export")
    assert event.actor == personas["province_coordinator"]
    assert event.detail == {"rows": 2}


def test_a_role_that_may_only_view_gets_403(points, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/focal-points/export.csv")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="focal_point.export").exists()


def test_it_refuses_post(personas, staff_client):
    client = staff_client(personas["province_coordinator"])
    assert client.post("/focal-points/export.csv").status_code == 405


def test_logged_out_goes_to_login(client, db):
    response = client.get("/focal-points/export.csv")
    assert response["Location"] == "/login/?next=/focal-points/export.csv"
