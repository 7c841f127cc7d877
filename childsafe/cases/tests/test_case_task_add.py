"""POST /cases/<id>/todos/: a task for someone of one's own organisation."""

from __future__ import annotations

import datetime as dt

from childsafe.cases.models import CaseTask


def test_it_adds_a_task_with_assignee_and_due_date(police_case, personas, staff_client):
    police = personas["police_investigator"]
    url = f"/cases/{police_case.pk}/todos/"
    response = staff_client(police).post(
        url,
        {"title": "Request subscriber data", "assignee": police.pk, "due_at": "2026-03-05T17:00"},
    )
    assert response.status_code == 302
    task = CaseTask.objects.get()
    assert (task.title, task.assignee, task.created_by) == (
        "Request subscriber data",
        police,
        police,
    )
    assert task.due_at == dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)  # 17:00 in Vietnam


def test_an_assignee_outside_the_organisation_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/todos/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"title": "x", "assignee": personas["education_officer"].pk}
    )
    assert response.status_code == 400
    assert not CaseTask.objects.exists()


def test_a_missing_title_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/todos/"
    assert staff_client(personas["police_investigator"]).post(url, {}).status_code == 400


def test_another_agency_gets_404(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/todos/"
    response = staff_client(personas["education_officer"]).post(url, {"title": "x"})
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/todos/"
    assert staff_client(personas["police_investigator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/todos/"
    assert client.post(url, {"title": "x"})["Location"] == f"/login/?next={url}"
