"""POST /cases/<id>/tasks/<task_id>/outcome/: the counselling referral's outcome."""

from __future__ import annotations

from childsafe.cases.models import CounsellingOutcome

DATA = {"outcome": "support_completed", "notes": "Family satisfied"}


def url(task):
    return f"/cases/{task.case_id}/tasks/{task.pk}/outcome/"


def test_the_facility_records_the_outcome(counselling_task, personas, staff_client):
    response = staff_client(personas["social_worker"]).post(url(counselling_task), DATA)
    assert response.status_code == 302
    assert CounsellingOutcome.objects.get().outcome == "support_completed"


def test_a_form_error_is_a_400(counselling_task, personas, staff_client):
    response = staff_client(personas["social_worker"]).post(
        url(counselling_task), {"outcome": "x"}
    )
    assert response.status_code == 400
    assert not CounsellingOutcome.objects.exists()


def test_a_task_that_is_not_counselling_is_a_400(counselling_case, personas, staff_client):
    task = counselling_case.agency_tasks.get(function="takedown")
    task.status = "accepted"
    task.save()
    response = staff_client(personas["ict_officer"]).post(url(task), DATA)
    assert response.status_code == 400
    assert not CounsellingOutcome.objects.exists()


def test_another_agency_gets_404(counselling_task, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(url(counselling_task), DATA)
    assert response.status_code == 404


def test_get_is_refused(counselling_task, personas, staff_client):
    assert staff_client(personas["social_worker"]).get(url(counselling_task)).status_code == 405


def test_logged_out_goes_to_login(client, counselling_task):
    assert (
        client.post(url(counselling_task))["Location"] == f"/login/?next={url(counselling_task)}"
    )
