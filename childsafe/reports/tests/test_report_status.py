"""The status lookup, /bao-cao/tra-cuu/ (English /en/report/status/)."""

from __future__ import annotations

import pytest

from childsafe.reports.models import Channel, PublicStatus
from childsafe.reports.services import report_set_public_status, report_submit

pytestmark = pytest.mark.django_db

CHILD = "Lê Thị Hoa"


@pytest.fixture
def submitted(personas):
    operator = personas["hotline_operator"]
    operator.full_name = "Operator Phạm Minh"
    operator.save(update_fields=["full_name"])
    return report_submit(
        channel=Channel.HOTLINE,
        data={
            "category": "grooming",
            "description": "Người lạ hẹn gặp em",
            "child_name": CHILD,
            "reporter_contact": "0905123456",
            "consent_given": True,
        },
        actor=operator,
    )


def test_the_page_asks_for_the_code_and_key(client):
    response = client.get("/bao-cao/tra-cuu/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get("/en/report/status/").status_code == 200


def test_the_right_code_and_key_show_the_status(client, submitted):
    report, key = submitted
    response = client.post("/bao-cao/tra-cuu/", {"code": report.tracking_code, "key": key})
    assert response.status_code == 200
    assert response.context["status"]["status"] == "received"
    assert report.tracking_code in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_status_follows_the_case(client, submitted, personas):
    report, key = submitted
    report_set_public_status(
        report, PublicStatus.FORWARDED, actor=personas["province_coordinator"]
    )
    response = client.post("/en/report/status/", {"code": report.tracking_code, "key": key})
    assert "Passed to the responsible agency" in response.content.decode()


def test_the_status_page_shows_no_staff_or_personal_data(client, submitted):
    report, key = submitted
    page = client.post("/bao-cao/tra-cuu/", {"code": report.tracking_code, "key": key})
    text = page.content.decode()
    for secret in (CHILD, "0905123456", "Người lạ", "Phạm Minh", "hotline", "grooming"):
        assert secret not in text


def test_a_wrong_key_gets_404_and_a_clear_message(client, submitted):
    report, key = submitted
    wrong = "2222-2222-2222-2222" if key != "2222-2222-2222-2222" else "3333-3333-3333-3333"
    response = client.post("/bao-cao/tra-cuu/", {"code": report.tracking_code, "key": wrong})
    assert response.status_code == 404
    assert response.context["status"] is None
    assert response.context["form"].non_field_errors()


def test_an_unknown_code_gets_the_same_answer(client, submitted):
    _report, key = submitted
    response = client.post("/bao-cao/tra-cuu/", {"code": "BC-ZZZZZZZZ", "key": key})
    assert response.status_code == 404


def test_an_empty_form_is_refused(client):
    response = client.post("/bao-cao/tra-cuu/", {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"code", "key"}


def test_guessing_from_one_address_gets_429(client, submitted, settings):
    settings.REPORT_STATUS_RATE_PER_HOUR = 2
    report, key = submitted
    codes = [
        client.post("/bao-cao/tra-cuu/", {"code": report.tracking_code, "key": "X"}).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]


def test_it_refuses_put(client):
    assert client.put("/bao-cao/tra-cuu/").status_code == 405
