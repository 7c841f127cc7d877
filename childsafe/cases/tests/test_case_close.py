"""POST /cases/<id>/close/: close with an outcome code."""

from __future__ import annotations

from childsafe.cases.models import CaseStatus
from childsafe.cases.tests.factories import make_case, page_says


def test_it_closes_with_an_outcome(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/close/"
    response = staff_client(personas["province_coordinator"]).post(
        url, {"outcome": "no_violation", "text": "Checked: adult content, no child."}
    )
    assert response.status_code == 302
    police_case.refresh_from_db()
    assert (police_case.status, police_case.outcome) == (CaseStatus.CLOSED, "no_violation")


def test_a_missing_outcome_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/close/"
    response = staff_client(personas["province_coordinator"]).post(url, {"text": "done"})
    assert response.status_code == 400
    police_case.refresh_from_db()
    assert police_case.status == CaseStatus.NEW


def test_a_case_still_worked_on_is_a_400(police_case, personas, staff_client):
    police_case.agency_tasks.update(status="accepted")
    url = f"/cases/{police_case.pk}/close/"
    response = staff_client(personas["province_coordinator"]).post(url, {"outcome": "other"})
    assert response.status_code == 400
    assert page_says(
        response, "Agencies are still working on this case: their tasks must be done first."
    )


def test_a_case_out_of_scope_gets_404(orgs, personas, staff_client):
    case = make_case(owner=orgs.ict)
    url = f"/cases/{case.pk}/close/"
    response = staff_client(personas["hotline_operator"]).post(url, {"outcome": "other"})
    assert response.status_code == 404


def test_agencies_cannot_close(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/close/"
    response = staff_client(personas["police_investigator"]).post(url, {"outcome": "other"})
    assert response.status_code == 403


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/close/"
    assert staff_client(personas["province_coordinator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/close/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
