"""POST /cases/<id>/decisions/: an agency records a decision."""

from __future__ import annotations

from childsafe.cases.models import Decision


def test_it_records_a_decision(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/decisions/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"kind": "investigation_opened", "text": "Quyết định khởi tố số 12"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.kind, decision.text) == ("investigation_opened", "Quyết định khởi tố số 12")


def test_an_unknown_kind_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/decisions/"
    response = staff_client(personas["police_investigator"]).post(url, {"kind": "x", "text": "y"})
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_triage_roles_do_not_record_agency_decisions(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/decisions/"
    response = staff_client(personas["hotline_operator"]).post(url, {"kind": "other", "text": "y"})
    assert response.status_code == 403


def test_another_agency_gets_404(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/decisions/"
    response = staff_client(personas["education_officer"]).post(
        url, {"kind": "other", "text": "y"}
    )
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/decisions/"
    assert staff_client(personas["police_investigator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/decisions/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
