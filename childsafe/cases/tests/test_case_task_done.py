"""POST /cases/<id>/todos/<case_task_id>/done/: tick a task off."""

from __future__ import annotations

import pytest

from childsafe.cases.models import CaseTask


@pytest.fixture
def task(police_case, orgs, personas):
    return CaseTask.objects.create(
        case=police_case,
        organisation=orgs.district_police,
        title="Preserve the chat log",
        created_by=personas["police_investigator"],
    )


def url_for(task):
    return f"/cases/{task.case_id}/todos/{task.pk}/done/"


def test_it_marks_the_task_done(task, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(task))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_task_already_done_is_a_400(task, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(task))
    assert client.post(url_for(task)).status_code == 400


def test_another_organisation_on_the_case_gets_404(task, personas, staff_client):
    # The hotline sees the case (DOLISA coordinates it) but not the police's tasks.
    assert staff_client(personas["hotline_operator"]).post(url_for(task)).status_code == 404


def test_another_agency_gets_404(task, personas, staff_client):
    assert staff_client(personas["education_officer"]).post(url_for(task)).status_code == 404


def test_get_is_refused(task, personas, staff_client):
    assert staff_client(personas["police_investigator"]).get(url_for(task)).status_code == 405


def test_logged_out_goes_to_login(client, task):
    assert client.post(url_for(task))["Location"] == f"/login/?next={url_for(task)}"
