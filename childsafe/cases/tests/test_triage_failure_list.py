"""GET /cases/queue/failed/: reports whose triage failed."""

from __future__ import annotations

from childsafe.cases.models import TriageFailure
from childsafe.cases.tests.factories import make_report


def test_it_lists_failures_without_content(orgs, personas, staff_client):
    report = make_report(description="Nội dung bí mật")
    TriageFailure.objects.create(report=report, attempts=3, error="ValueError")
    response = staff_client(personas["province_coordinator"]).get("/cases/queue/failed/")
    page = response.content.decode()
    assert response.status_code == 200
    assert report.tracking_code in page and "ValueError" in page
    assert "Nội dung bí mật" not in page


def test_agencies_are_refused(personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get("/cases/queue/failed/").status_code
        == 403
    )


def test_post_is_refused(personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post("/cases/queue/failed/")
    assert response.status_code == 405


def test_logged_out_goes_to_login(client):
    response = client.get("/cases/queue/failed/")
    assert response["Location"] == "/login/?next=/cases/queue/failed/"
