"""POST /cases/<id>/tasks/<task_id>/done/: the agency finished its part."""

from __future__ import annotations


def url_for(case, function="crime_reports"):
    return f"/cases/{case.pk}/tasks/{case.agency_tasks.get(function=function).pk}/done/"


def test_an_accepted_task_is_marked_done(police_case, personas, staff_client):
    police_case.agency_tasks.update(status="accepted")
    response = staff_client(personas["police_investigator"]).post(url_for(police_case))
    assert response.status_code == 302
    task = police_case.agency_tasks.get()
    assert task.status == "done"
    assert task.done_at is not None


def test_a_task_not_accepted_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case))
    assert response.status_code == 400
    assert police_case.agency_tasks.get().status == "proposed"


def test_another_agency_gets_404(shared_case, personas, staff_client):
    shared_case.agency_tasks.update(status="accepted")
    response = staff_client(personas["education_officer"]).post(url_for(shared_case))
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
