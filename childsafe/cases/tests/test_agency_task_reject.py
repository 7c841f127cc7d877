"""POST /cases/<id>/tasks/<task_id>/reject/: refuse a task, with a reason."""

from __future__ import annotations


def url_for(case, function="crime_reports"):
    return f"/cases/{case.pk}/tasks/{case.agency_tasks.get(function=function).pk}/reject/"


def test_the_receiving_organisation_rejects_with_a_reason(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"reason": "Reported account is abroad"}
    )
    assert response.status_code == 302
    # Rejecting was the police's only link to the case: back to the list.
    assert response["Location"] == "/cases/"
    task = police_case.agency_tasks.get()
    assert (task.status, task.rejection_reason) == ("rejected", "Reported account is abroad")


def test_rejecting_on_a_case_still_visible_goes_back_to_it(
    police_case, orgs, personas, staff_client
):
    chief_task = police_case.agency_tasks.create(
        organisation=orgs.district_police, function="takedown"
    )
    url = f"/cases/{police_case.pk}/tasks/{chief_task.pk}/reject/"
    response = staff_client(personas["police_investigator"]).post(url, {"reason": "ICT's job"})
    assert response["Location"] == f"/cases/{police_case.pk}/"


def test_a_missing_reason_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"reason": ""}
    )
    assert response.status_code == 400
    assert police_case.agency_tasks.get().status == "proposed"


def test_another_agency_gets_404(shared_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(
        url_for(shared_case), {"reason": "not ours"}
    )
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url, {"reason": "x"})["Location"] == f"/login/?next={url}"
