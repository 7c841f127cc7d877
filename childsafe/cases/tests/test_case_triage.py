"""POST /cases/<id>/triage/: a person confirms triage and sets the priority."""

from __future__ import annotations

from childsafe.cases.models import CaseStatus


def test_it_confirms_triage(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/triage/"
    response = staff_client(personas["hotline_operator"]).post(url, {"priority": "120"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{police_case.pk}/"
    police_case.refresh_from_db()
    assert (police_case.status, police_case.priority) == (CaseStatus.TRIAGED, 120)


def test_a_bad_priority_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/triage/"
    response = staff_client(personas["hotline_operator"]).post(url, {"priority": "-3"})
    assert response.status_code == 400
    police_case.refresh_from_db()
    assert police_case.status == CaseStatus.NEW


def test_agencies_cannot_triage(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/triage/"
    response = staff_client(personas["police_investigator"]).post(url, {"priority": "1"})
    assert response.status_code == 403


def test_a_case_out_of_scope_gets_404(orgs, personas, staff_client):
    from childsafe.cases.tests.factories import make_case

    case = make_case(owner=orgs.ict)  # not DOLISA's: the hotline does not see it
    url = f"/cases/{case.pk}/triage/"
    response = staff_client(personas["hotline_operator"]).post(url, {"priority": "1"})
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/triage/"
    assert staff_client(personas["hotline_operator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/triage/"
    assert client.post(url, {"priority": "1"})["Location"] == f"/login/?next={url}"
