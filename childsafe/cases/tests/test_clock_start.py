"""POST /cases/<id>/clocks/: a triage role starts a time limit by hand."""

from __future__ import annotations

from childsafe.cases.tests.factories import page_says


def test_it_starts_a_breach_notice_clock(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/clocks/"
    response = staff_client(personas["hotline_operator"]).post(url, {"rule": "data_breach"})
    assert response.status_code == 302
    assert police_case.clocks.filter(rule__code="data_breach").exists()


def test_a_rule_started_by_tasks_cannot_be_started_by_hand(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/clocks/"
    response = staff_client(personas["hotline_operator"]).post(url, {"rule": "crime_report"})
    assert response.status_code == 400


def test_starting_twice_is_a_400(police_case, personas, staff_client):
    client = staff_client(personas["hotline_operator"])
    url = f"/cases/{police_case.pk}/clocks/"
    client.post(url, {"rule": "data_breach"})
    response = client.post(url, {"rule": "data_breach"})
    assert response.status_code == 400
    assert page_says(response, "This time limit is already running on the case.")


def test_agencies_cannot_start_clocks(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/clocks/"
    response = staff_client(personas["police_investigator"]).post(url, {"rule": "data_breach"})
    assert response.status_code == 403


def test_a_case_out_of_scope_gets_404(orgs, personas, staff_client):
    from childsafe.cases.tests.factories import make_case

    case = make_case(owner=orgs.ict)
    url = f"/cases/{case.pk}/clocks/"
    response = staff_client(personas["hotline_operator"]).post(url, {"rule": "data_breach"})
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/clocks/"
    assert staff_client(personas["hotline_operator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/clocks/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
