"""Hotline entry, /hotline/reports/new/: an operator records a call."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from childsafe.audit.models import AuditEvent
from childsafe.reports.models import Channel, Report
from childsafe.reports.tests.conftest import upload

pytestmark = pytest.mark.django_db

URL = "/hotline/reports/new/"
CHILD = "Trần Thị Mai"


def call(**overrides):
    values = {
        "category": "sextortion",
        "description": "Em bị đe doạ tung ảnh nếu không chuyển tiền",
        "platform": "Zalo",
        "child_age_group": "11_15",
        "child_in_danger": "on",
        "reporter_relation": "parent",
        "reporter_name": "Trần Văn Tâm",
        "reporter_contact": "0905 123 456",
        "child_name": CHILD,
        "child_school": "THCS Lê Lợi, lớp 7A",
        "consent_given": "on",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_the_operator_sees_the_form_with_the_callers_fields(personas, staff_client):
    response = staff_client(personas["hotline_operator"]).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="child_name"' in page and 'name="child_school"' in page
    assert "no-store" in response["Cache-Control"]


def test_the_operator_records_a_call(personas, staff_client):
    operator = personas["hotline_operator"]
    response = staff_client(operator).post(URL, call(files=[upload()]))
    assert response.status_code == 200
    code = re.search(r'<code id="tracking-code">(BC-\w{8})</code>', response.content.decode())[1]
    assert re.search(r'<code id="access-key">[\w-]{19}</code>', response.content.decode())
    report = Report.objects.get(tracking_code=code)
    assert report.channel == Channel.HOTLINE
    assert report.received_by == operator
    assert (report.child_name, report.child_school) == (CHILD, "THCS Lê Lợi, lớp 7A")
    assert (report.reporter_name, report.reporter_contact) == ("Trần Văn Tâm", "0905 123 456")
    assert not report.is_anonymous
    assert report.child_in_danger
    assert report.files.count() == 1
    assert AuditEvent.objects.get(action="report.submit").actor == operator


def test_the_callers_data_is_encrypted_in_the_database(personas, staff_client):
    staff_client(personas["hotline_operator"]).post(URL, call())
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_name, child_school, reporter_name FROM reports_report")
        row = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in row)
    assert CHILD not in str(row)


def test_a_form_error_stores_nothing(personas, staff_client, nothing_stored):
    with nothing_stored():
        response = staff_client(personas["hotline_operator"]).post(
            URL, call(category="weather", child_name="x" * 201)
        )
    assert response.status_code == 400
    assert {"category", "child_name"} <= set(response.context["form"].errors)


def test_the_operator_is_not_rate_limited(personas, staff_client, settings):
    settings.REPORT_SUBMIT_RATE_PER_HOUR = 1
    client = staff_client(personas["hotline_operator"])
    assert [client.post(URL, call()).status_code for _ in range(3)] == [200, 200, 200]


def test_it_refuses_put(personas, staff_client):
    assert staff_client(personas["hotline_operator"]).put(URL).status_code == 405


@pytest.mark.parametrize("role", ["ict_officer", "police_investigator", "provider_contact"])
def test_other_roles_get_403(personas, staff_client, role, nothing_stored):
    with nothing_stored():
        assert staff_client(personas[role]).post(URL, call()).status_code == 403


def test_logged_out_goes_to_login(client, db):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


def test_the_menu_offers_the_entry_to_operators_only(personas, staff_client):
    assert URL in staff_client(personas["hotline_operator"]).get("/dashboard/").content.decode()
    assert URL not in staff_client(personas["ict_officer"]).get("/dashboard/").content.decode()


def test_the_operator_records_the_parents_and_the_childs_consent(personas, staff_client):
    operator = personas["hotline_operator"]
    page = staff_client(operator).get(URL).content.decode()
    assert 'name="parent_consent_given"' in page and 'name="child_consent_given"' in page
    response = staff_client(operator).post(
        URL, call(parent_consent_given="on", child_consent_given="on")
    )
    assert response.status_code == 200
    consents = Report.objects.get().consents.all()
    assert {(c.given_by, c.scope) for c in consents} >= {
        ("parent", "process"),
        ("parent", "share"),
        ("child", "process"),
        ("child", "share"),
    }
    assert {c.recorded_by for c in consents} == {operator}


def test_the_operator_picks_the_commune(personas, staff_client):
    from childsafe.orgs.models import AdminUnit

    commune = AdminUnit.objects.create(
        era="2025", level="commune", code="20314", name="Phường Bàn Thạch", source="test"
    )
    response = staff_client(personas["hotline_operator"]).post(
        URL, call(territory=str(commune.pk))
    )
    assert response.status_code == 200
    assert Report.objects.get().territory == commune
