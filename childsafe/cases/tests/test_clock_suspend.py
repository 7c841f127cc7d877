"""POST /cases/<id>/clocks/<clock_id>/suspend/: an approved suspension stops the count."""

from __future__ import annotations

APPROVAL = {"approved_by": "Thủ trưởng Cơ quan CSĐT", "legal_basis": "BLTTHS 2015, Điều 148"}


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get().pk}/suspend/"


def test_the_agency_suspends_its_clock(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 302
    clock = police_case.clocks.get()
    assert clock.state == "suspended"
    event = clock.events.get(kind="suspended")
    assert (event.approved_by, event.legal_basis) == (
        APPROVAL["approved_by"],
        APPROVAL["legal_basis"],
    )


def test_a_missing_legal_basis_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"approved_by": "x"}
    )
    assert response.status_code == 400
    assert police_case.clocks.get().state == "running"


def test_suspending_twice_is_a_400(police_case, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(police_case), APPROVAL)
    assert client.post(url_for(police_case), APPROVAL).status_code == 400


def test_another_agency_gets_404(police_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
