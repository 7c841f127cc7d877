"""POST /cases/<id>/tasks/<task_id>/sessions/: a counselling session."""

from __future__ import annotations

from childsafe.cases.models import CounsellingSession

DATA = {"held_on": "2026-03-02", "duration_minutes": "45", "mode": "online", "notes": "ok"}


def url(task):
    return f"/cases/{task.case_id}/tasks/{task.pk}/sessions/"


def test_the_facility_records_a_session(counselling_task, personas, staff_client):
    client = staff_client(personas["social_worker"])
    response = client.post(url(counselling_task), DATA)
    assert response.status_code == 302
    session = CounsellingSession.objects.get()
    assert (session.duration_minutes, session.mode) == (45, "online")
    page = client.get(f"/cases/{counselling_task.case_id}/").content.decode()
    assert 'id="counselling"' in page


def test_the_owner_sees_it_and_other_agencies_do_not(counselling_task, personas, staff_client):
    staff_client(personas["social_worker"]).post(url(counselling_task), DATA)
    case_url = f"/cases/{counselling_task.case_id}/"
    page = staff_client(personas["hotline_operator"]).get(case_url).content.decode()
    assert 'id="counselling"' in page
    assert url(counselling_task) not in page  # the owner reads, the facility records
    for role in ("ict_officer", "province_coordinator"):
        page = staff_client(personas[role]).get(case_url).content.decode()
        assert 'id="counselling"' not in page, role


def test_a_form_error_is_a_400(counselling_task, personas, staff_client):
    client = staff_client(personas["social_worker"])
    for bad in ({**DATA, "duration_minutes": "0"}, {**DATA, "held_on": "2999-01-01"}, {}):
        assert client.post(url(counselling_task), bad).status_code == 400
    assert not CounsellingSession.objects.exists()


def test_a_closed_case_is_a_400(counselling_task, personas, staff_client):
    case = counselling_task.case
    case.status, case.closed_at = "closed", case.opened_at
    case.save()
    response = staff_client(personas["social_worker"]).post(url(counselling_task), DATA)
    assert response.status_code == 400


def test_another_agency_gets_404(counselling_task, personas, staff_client):
    response = staff_client(personas["ict_officer"]).post(url(counselling_task), DATA)
    assert response.status_code == 404
    assert not CounsellingSession.objects.exists()


def test_roles_without_case_work_are_refused(counselling_task, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(url(counselling_task), DATA)
    assert response.status_code == 403


def test_get_is_refused(counselling_task, personas, staff_client):
    assert staff_client(personas["social_worker"]).get(url(counselling_task)).status_code == 405


def test_logged_out_goes_to_login(client, counselling_task):
    assert (
        client.post(url(counselling_task))["Location"] == f"/login/?next={url(counselling_task)}"
    )
