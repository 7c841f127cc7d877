"""The takedown figures as CSV: /takedown/figures.csv."""

from __future__ import annotations

import csv
import datetime as dt
import io

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
    odd = make_provider("odd", '=HYPERLINK("x")')
    make_issued(orgs, personas, MARCH, ack_hours=1, removed_hours=5)
    make_issued(orgs, personas, MARCH, ack_hours=3, removed_hours=30)
    make_issued(orgs, personas, MARCH, provider=odd, ack_hours=2)
    make_issued(orgs, personas, MARCH, issuer=orgs.education, ack_hours=9, removed_hours=9)
    return odd


def rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_it_exports_the_figures_and_they_parse_back(orders, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures.csv", {"start": "2025-03", "end": "2025-04"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="takedown-figures-2025-03-2025-04.csv"'
    )
    header, *body = rows(response)
    assert header[:4] == ["Month", "Provider", "Orders issued", "Acknowledged"]
    assert header[11] == "Removed within 24 hours (%)"
    by_key = {(r[0], r[1]): r for r in body}
    assert set(by_key) == {
        ("2025-03", '\'=HYPERLINK("x")'),
        ("2025-03", "VNPT Quảng Nam"),
        ("2025-03", "All providers"),
        ("2025-04", "All providers"),
        ("All months", '\'=HYPERLINK("x")'),
        ("All months", "VNPT Quảng Nam"),
        ("All months", "All providers"),
    }
    vnpt = by_key["2025-03", "VNPT Quảng Nam"]
    assert vnpt[2:] == ["2", "2", "2.0", "3.0", "2", "2", "17.5", "30.0", "1", "50.0", "0", "0"]
    assert by_key["2025-04", "All providers"][2:4] == ["0", "0"]
    assert by_key["2025-04", "All providers"][4] == ""  # no data: empty, not zero
    # The other agency's order is not counted.
    assert by_key["All months", "All providers"][2] == "3"
    assert body[-1][:2] == ["All months", "All providers"]


def test_the_coordinator_exports_every_agency(orders, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get("/en/takedown/figures.csv")
    assert rows(response)[-1][2] == "4"


def test_it_filters_by_provider(orders, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures.csv", {"provider": orders.pk}
    )
    assert rows(response)[-1][2] == "1"


def test_an_export_is_audited_with_the_filters_only(orders, personas, staff_client):
    staff_client(personas["ict_officer"]).get(
        "/takedown/figures.csv", {"start": "2025-01", "end": "2025-03", "provider": orders.pk}
    )
    event = AuditEvent.objects.get(action="takedown.figures_export")
    assert event.actor == personas["ict_officer"]
    assert event.detail == {
        "format": "csv",
        "start": "2025-01",
        "end": "2025-03",
        "provider_id": orders.pk,
        "orders": 1,
    }


def test_an_empty_export_has_the_header_and_totals(personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures.csv", {"start": "2025-01", "end": "2025-01"}
    )
    header, *body = rows(response)
    assert len(header) == 14
    assert [r[:3] for r in body] == [
        ["2025-01", "All providers", "0"],
        ["All months", "All providers", "0"],
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-3"},
        {"end": "x"},
        {"provider": "-1"},
        {"start": "2025-06", "end": "2025-01"},
    ],
)
def test_bad_filters_get_400_and_no_export(orders, personas, staff_client, params):
    response = staff_client(personas["ict_officer"]).get("/en/takedown/figures.csv", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="takedown.figures_export").exists()


def test_a_role_without_order_view_gets_403(personas, staff_client):
    assert staff_client(personas["social_worker"]).get("/takedown/figures.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="takedown.figures_export").exists()


def test_it_refuses_post(personas, staff_client):
    assert staff_client(personas["ict_officer"]).post("/takedown/figures.csv").status_code == 405


def test_logged_out_goes_to_login(client, db):
    response = client.get("/takedown/figures.csv")
    assert response["Location"] == "/login/?next=/takedown/figures.csv"
