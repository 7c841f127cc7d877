"""The takedown figures page: /takedown/figures/."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest
import time_machine

from childsafe.takedown.models import OrderAction, OrderStatus
from childsafe.takedown.tests.test_figures import make_issued, make_provider

NOW = dt.datetime(2025, 6, 15, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def orders(orgs, personas):
    """Three orders of the ICT department and one of another agency, in March and May."""
    march = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
    may = dt.datetime(2025, 5, 20, 2, 0, tzinfo=dt.UTC)
    viettel = make_provider("viettel", "Viettel")
    return {
        "a": make_issued(orgs, personas, march, ack_hours=1, removed_hours=5),
        "b": make_issued(orgs, personas, march, ack_hours=3, removed_hours=30),
        "c": make_issued(
            orgs, personas, may, provider=viettel, status=OrderStatus.ISSUED, ack_hours=2
        ),
        "other": make_issued(
            orgs, personas, may, issuer=orgs.education, ack_hours=50, removed_hours=60
        ),
        "viettel": viettel,
    }


def cells(html, heading):
    """The cells of the table row whose header cell reads ``heading``."""
    row = re.search(rf"<th scope=\"row\">{re.escape(heading)}</th>(.*?)</tr>", html, re.S)
    assert row, heading
    return re.findall(r"<td>(.*?)</td>", row[1])


def test_it_shows_the_figures_of_the_officers_own_agency(orders, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/en/takedown/figures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, "03/2025")[:2] == ["2", "2"]
    assert cells(html, "03/2025")[5:9] == ["2", "17.5", "30.0", "1 (50.0 %)"]
    # The other agency's May order is not counted; the ICT department's is.
    assert cells(html, "05/2025")[:2] == ["1", "1"]
    assert cells(html, "All months")[:6] == ["3", "3", "2.0", "3.0", "3", "2"]
    assert cells(html, "Viettel")[0] == "1"


def test_the_coordinator_sees_every_agency(orders, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get("/en/takedown/figures/")
    assert cells(response.content.decode(), "All months")[0] == "4"


def test_it_draws_accessible_charts_without_scripts(orders, personas, staff_client):
    html = staff_client(personas["ict_officer"]).get("/en/takedown/figures/").content.decode()
    assert html.count("<svg") == 3
    assert 'role="img"' in html
    assert '<title id="chart-removal-by-month-title">Time to removal' in html
    assert '<desc id="chart-removal-by-month-desc">' in html
    assert "<script" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        root = ElementTree.fromstring(svg)  # well-formed XML
        assert root.get("viewBox").startswith("0 0 640 ")
    assert "http://" not in html.split("<svg", 1)[1].replace("http://www.w3.org/2000/svg", "")


def test_the_default_range_is_the_last_twelve_months(orders, personas, staff_client):
    html = staff_client(personas["ict_officer"]).get("/en/takedown/figures/").content.decode()
    assert 'value="2024-07"' in html and 'value="2025-06"' in html
    assert "07/2024" in html and "06/2025" in html and "06/2024" not in html
    assert "start=2024-07&amp;end=2025-06" in html  # the export links keep the filters


def test_it_filters_by_months_and_provider(orders, personas, staff_client):
    client = staff_client(personas["ict_officer"])
    html = client.get(
        "/en/takedown/figures/", {"start": "2025-05", "end": "2025-05"}
    ).content.decode()
    assert cells(html, "All months")[0] == "1"
    assert "03/2025" not in html
    provider = orders["viettel"].pk
    html = client.get("/en/takedown/figures/", {"provider": provider}).content.decode()
    assert cells(html, "All months")[0] == "1"
    assert f"provider={provider}" in html


def test_without_orders_it_says_so(personas, staff_client):
    response = staff_client(personas["ict_officer"]).get("/en/takedown/figures/")
    assert response.status_code == 200
    assert "No orders were issued in these months." in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13"}, "Give a month as YYYY-MM"),
        ({"end": "June"}, "Give a month as YYYY-MM"),
        ({"start": "1999-12"}, "Give a month as YYYY-MM"),
        ({"start": "2025-05", "end": "2025-03"}, "The first month comes after the last one."),
        ({"start": "2000-01", "end": "2025-01"}, "Choose at most 120 months at a time."),
        ({"provider": "abc"}, "Select a valid choice."),
        ({"provider": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_filters_get_400_with_the_reason(orders, personas, staff_client, params, message):
    response = staff_client(personas["ict_officer"]).get("/en/takedown/figures/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_organisation_that_is_no_provider_is_a_bad_filter(orgs, personas, staff_client):
    response = staff_client(personas["ict_officer"]).get(
        "/en/takedown/figures/", {"provider": orgs.police.pk}
    )
    assert response.status_code == 400


def test_it_renders_in_vietnamese_by_default(orders, personas, staff_client):
    assert staff_client(personas["ict_officer"]).get("/takedown/figures/").status_code == 200


def test_blocking_orders_count_as_issued_but_not_in_removal(orgs, personas, staff_client):
    issued = dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC)
    make_issued(orgs, personas, issued, action=OrderAction.BLOCK, status=OrderStatus.DONE)
    html = staff_client(personas["ict_officer"]).get("/en/takedown/figures/").content.decode()
    row = cells(html, "04/2025")
    assert row[0] == "1" and row[4] == "0" and row[5] == "0"


@pytest.mark.parametrize("role", ["social_worker", "provider_contact", "auditor"])
def test_roles_without_order_view_get_403(personas, staff_client, role):
    assert staff_client(personas[role]).get("/takedown/figures/").status_code == 403


def test_it_refuses_post(personas, staff_client):
    assert staff_client(personas["ict_officer"]).post("/takedown/figures/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    response = client.get("/takedown/figures/")
    assert response["Location"] == "/login/?next=/takedown/figures/"
