"""POST /cases/<id>/tasks/<task_id>/accept/: only the receiving organisation accepts."""

from __future__ import annotations

from childsafe.cases.models import CaseStatus
from childsafe.cases.tests.factories import page_says


def url_for(case):
    return f"/cases/{case.pk}/tasks/{case.agency_tasks.get().pk}/accept/"


def test_the_receiving_organisation_accepts(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case))
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{police_case.pk}/"
    task = police_case.agency_tasks.get()
    assert (task.status, task.accepted_by) == ("accepted", personas["police_investigator"])
    police_case.refresh_from_db()
    assert police_case.status == CaseStatus.IN_PROGRESS


def test_accepting_twice_is_a_400(police_case, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(police_case))
    response = client.post(url_for(police_case))
    assert response.status_code == 400
    assert page_says(response, "Only a task waiting for acceptance can be accepted.")


def test_another_agency_gets_404(police_case, shared_case, personas, staff_client):
    # The education officer sees neither the police case nor the police task on a shared case.
    assert (
        staff_client(personas["education_officer"]).post(url_for(police_case)).status_code == 404
    )
    police_task = shared_case.agency_tasks.get(function="crime_reports")
    url = f"/cases/{shared_case.pk}/tasks/{police_task.pk}/accept/"
    assert staff_client(personas["education_officer"]).post(url).status_code == 404
    police_task.refresh_from_db()
    assert police_task.status == "proposed"


def test_a_task_of_another_case_gets_404(police_case, shared_case, personas, staff_client):
    task = police_case.agency_tasks.get()
    url = f"/cases/{shared_case.pk}/tasks/{task.pk}/accept/"
    assert staff_client(personas["police_investigator"]).post(url).status_code == 404


def test_triage_roles_cannot_accept_for_an_agency(police_case, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post(url_for(police_case))
    assert response.status_code == 403


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
