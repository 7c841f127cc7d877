"""POST /cases/<id>/clocks/<clock_id>/resume/: a suspended clock runs again."""

from __future__ import annotations

import datetime as dt

import time_machine

from childsafe.cases.services import clock_suspend

RESUMED = dt.datetime(2027, 4, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

APPROVAL = {"approved_by": "Thủ trưởng Cơ quan CSĐT", "legal_basis": "BLTTHS 2015, Điều 149"}


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get(rule__code='crime_report').pk}/resume/"


def suspend(case, user):
    clock_suspend(
        case.clocks.get(rule__code="crime_report"),
        ground="documents",
        approved_by="x",
        legal_basis="Điều 148",
        actor=user,
    )


def test_the_agency_resumes_its_clock(police_case, personas, staff_client):
    suspend(police_case, personas["police_investigator"])
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 302
    assert police_case.clocks.get(rule__code="crime_report").state == "running"


def test_the_case_page_shows_the_notice_due_in_three_days(police_case, personas, staff_client):
    suspend(police_case, personas["police_investigator"])
    with time_machine.travel(RESUMED, tick=False):
        client = staff_client(personas["police_investigator"])
        assert client.post(url_for(police_case), APPROVAL).status_code == 302
        page = client.get(f"/cases/{police_case.pk}/").content.decode()
    notice = police_case.clocks.get(rule__code="crime_report_resume_notice")
    assert notice.due_at == RESUMED + dt.timedelta(days=3)
    assert f'id="clock-{notice.pk}"' in page
    assert "Điều 149 khoản 2" in page
    # The police record that the notice went out.
    assert f"/cases/{police_case.pk}/clocks/{notice.pk}/stop/" in page
    assert f"/cases/{police_case.pk}/clocks/{notice.pk}/suspend/" not in page
    response = client.post(f"/cases/{police_case.pk}/clocks/{notice.pk}/stop/")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "stopped"


def test_a_missing_approver_is_a_400(police_case, personas, staff_client):
    suspend(police_case, personas["police_investigator"])
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"legal_basis": "x"}
    )
    assert response.status_code == 400


def test_a_running_clock_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 400


def test_another_agency_gets_404(police_case, personas, staff_client):
    suspend(police_case, personas["police_investigator"])
    response = staff_client(personas["education_officer"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
