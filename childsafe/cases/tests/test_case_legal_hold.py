"""POST /cases/<id>/hold/: set or lift a legal hold (police, coordinator)."""

from __future__ import annotations

from childsafe.cases.tests.factories import make_case


def test_the_police_set_a_hold(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/hold/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"legal_hold": "on", "reason": "Vụ án 12/2026"}
    )
    assert response.status_code == 302
    police_case.refresh_from_db()
    assert (police_case.legal_hold, police_case.legal_hold_reason) == (True, "Vụ án 12/2026")


def test_the_coordinator_lifts_it(police_case, personas, staff_client):
    police_case.legal_hold, police_case.legal_hold_reason = True, "x"
    police_case.save()
    url = f"/cases/{police_case.pk}/hold/"
    response = staff_client(personas["province_coordinator"]).post(url, {"reason": ""})
    assert response.status_code == 302
    police_case.refresh_from_db()
    assert not police_case.legal_hold


def test_a_hold_without_a_reason_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/hold/"
    response = staff_client(personas["police_investigator"]).post(url, {"legal_hold": "on"})
    assert response.status_code == 400
    police_case.refresh_from_db()
    assert not police_case.legal_hold


def test_other_roles_are_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/hold/"
    for role in ("hotline_operator", "social_worker", "ict_officer"):
        response = staff_client(personas[role]).post(url, {"legal_hold": "on", "reason": "x"})
        assert response.status_code == 403, role


def test_another_agency_gets_404(orgs, personas, staff_client):
    case = make_case(owner=orgs.ict)
    url = f"/cases/{case.pk}/hold/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"legal_hold": "on", "reason": "x"}
    )
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/hold/"
    assert staff_client(personas["police_investigator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/hold/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
