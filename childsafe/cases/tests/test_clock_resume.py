"""POST /cases/<id>/clocks/<clock_id>/resume/: a suspended clock runs again."""

from __future__ import annotations

from childsafe.cases.services import clock_suspend

APPROVAL = {"approved_by": "Thủ trưởng Cơ quan CSĐT", "legal_basis": "BLTTHS 2015, Điều 149"}


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get().pk}/resume/"


def suspend(case, user):
    clock_suspend(case.clocks.get(), approved_by="x", legal_basis="Điều 148", actor=user)


def test_the_agency_resumes_its_clock(police_case, personas, staff_client):
    suspend(police_case, personas["police_investigator"])
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 302
    assert police_case.clocks.get().state == "running"


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
