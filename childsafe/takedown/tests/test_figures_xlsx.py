"""The takedown figures as an Excel workbook: /takedown/figures.xlsx."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.takedown.tests.test_figures import make_issued, make_provider

NOW = dt.datetime(2025, 6, 15, 3, 0, tzinfo=dt.UTC)
MARCH = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def orders(orgs, personas):
    odd = make_provider("odd", "=1+2")
    make_issued(orgs, personas, MARCH, ack_hours=1, removed_hours=5)
    make_issued(orgs, personas, MARCH, ack_hours=3, removed_hours=30)
    make_issued(orgs, personas, MARCH, provider=odd, ack_hours=2)
    make_issued(orgs, personas, MARCH, issuer=orgs.education, ack_hours=9, removed_hours=9)
    return odd


def sheet_of(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book.active


def test_it_exports_a_workbook_that_opens(orders, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures.xlsx", {"start": "2025-03", "end": "2025-03"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="takedown-figures-2025-03-2025-03.xlsx"'
    )
    sheet = sheet_of(response)
    assert sheet.title == "Takedown figures"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *body = values
    assert header[:3] == ["Month", "Provider", "Orders issued"]
    by_key = {(r[0], r[1]): r for r in body}
    vnpt = by_key["2025-03", "VNPT Quảng Nam"]
    assert vnpt[2:] == [2, 2, 2.0, 3.0, 2, 2, 17.5, 30.0, 1, 50.0, 0, 0]
    assert by_key["All months", "All providers"][2] == 3  # not the other agency's


def test_a_name_that_looks_like_a_formula_stays_text(orders, personas, staff_client):
    sheet = sheet_of(staff_client(personas["ict_officer"]).get("/en/takedown/figures.xlsx"))
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == "=1+2"]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_an_export_is_audited(orders, personas, staff_client):
    staff_client(personas["province_coordinator"]).get("/takedown/figures.xlsx")
    event = AuditEvent.objects.get(action="takedown.figures_export")
    assert event.detail["format"] == "xlsx"
    assert event.detail["orders"] == 4
    assert event.detail["start"] == "2024-07" and event.detail["end"] == "2025-06"


def test_an_empty_workbook_has_the_header_and_totals(personas, staff_client):
    sheet = sheet_of(
        staff_client(personas["ict_officer"]).get(
            "/en/takedown/figures.xlsx", {"start": "2025-02", "end": "2025-02"}
        )
    )
    assert sheet.max_row == 3


def test_bad_filters_get_400_with_the_reason(personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures.xlsx", {"start": "2025-00"}
    )
    assert response.status_code == 400
    assert "Give a month as YYYY-MM" in response.content.decode()
    assert not AuditEvent.objects.filter(action="takedown.figures_export").exists()


def test_a_role_without_order_view_gets_403(personas, staff_client):
    response = staff_client(personas["provider_contact"]).get("/takedown/figures.xlsx")
    assert response.status_code == 403


def test_it_refuses_post(personas, staff_client):
    assert staff_client(personas["ict_officer"]).post("/takedown/figures.xlsx").status_code == 405


def test_logged_out_goes_to_login(client, db):
    response = client.get("/takedown/figures.xlsx")
    assert response["Location"] == "/login/?next=/takedown/figures.xlsx"
