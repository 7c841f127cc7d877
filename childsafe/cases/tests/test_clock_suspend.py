"""POST /cases/<id>/clocks/<clock_id>/suspend/: an approved suspension stops the count."""

from __future__ import annotations

APPROVAL = {
    "ground": "expert_assessment",
    "approved_by": "Thủ trưởng Cơ quan CSĐT",
    "legal_basis": "BLTTHS 2015, Điều 148",
}


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get().pk}/suspend/"


def test_the_agency_suspends_its_clock(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 302
    clock = police_case.clocks.get()
    assert clock.state == "suspended"
    event = clock.events.get(kind="suspended")
    assert (event.ground, event.approved_by, event.legal_basis) == (
        "expert_assessment",
        APPROVAL["approved_by"],
        APPROVAL["legal_basis"],
    )


def test_the_case_page_shows_the_ground(police_case, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(police_case), {**APPROVAL, "ground": "documents"})
    page = client.get(f"/en/cases/{police_case.pk}/").content.decode()
    assert "148(1)(b)" in page


def test_the_form_offers_the_grounds_of_article_148(police_case, personas, staff_client):
    page = (
        staff_client(personas["police_investigator"])
        .get(f"/cases/{police_case.pk}/")
        .content.decode()
    )
    for ground in ("expert_assessment", "legal_assistance", "documents", "other"):
        assert f'value="{ground}"' in page


def test_a_missing_ground_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "ground": ""}
    )
    assert response.status_code == 400
    assert police_case.clocks.get().state == "running"


def test_an_unknown_ground_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "ground": "bored"}
    )
    assert response.status_code == 400
    assert police_case.clocks.get().state == "running"


def test_a_missing_legal_basis_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"ground": "other", "approved_by": "x"}
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
