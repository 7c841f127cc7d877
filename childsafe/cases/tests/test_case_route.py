"""POST /cases/<id>/route/: refer the case to one more agency."""

from __future__ import annotations

from childsafe.cases.tests.factories import make_case, page_says


def test_it_proposes_a_task_to_the_function_holder(police_case, orgs, personas, staff_client):
    url = f"/cases/{police_case.pk}/route/"
    response = staff_client(personas["hotline_operator"]).post(url, {"function": "counselling"})
    assert response.status_code == 302
    task = police_case.agency_tasks.get(function="counselling")
    assert (task.organisation, task.status) == (orgs.facility, "proposed")


def test_an_unknown_function_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/route/"
    response = staff_client(personas["hotline_operator"]).post(url, {"function": "magic"})
    assert response.status_code == 400


def test_a_refused_referral_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/route/"
    response = staff_client(personas["hotline_operator"]).post(url, {"function": "adjudication"})
    assert response.status_code == 400
    assert page_says(response, "No organisation holds this function for the case's territory.")


def test_a_case_out_of_scope_gets_404(orgs, personas, staff_client):
    case = make_case(owner=orgs.ict)
    url = f"/cases/{case.pk}/route/"
    response = staff_client(personas["hotline_operator"]).post(url, {"function": "counselling"})
    assert response.status_code == 404


def test_agencies_cannot_refer(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/route/"
    response = staff_client(personas["police_investigator"]).post(url, {"function": "takedown"})
    assert response.status_code == 403


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/route/"
    assert staff_client(personas["hotline_operator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/route/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
