"""POST /cases/<id>/notes/: an internal note, optionally shared."""

from __future__ import annotations

from childsafe.cases.models import Note


def test_it_adds_an_internal_note(police_case, orgs, personas, staff_client):
    url = f"/cases/{police_case.pk}/notes/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"text": "Account created last week"}
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.text, note.is_shared, note.organisation) == (
        "Account created last week",
        False,
        orgs.district_police,
    )


def test_it_adds_a_shared_note(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/notes/"
    staff_client(personas["hotline_operator"]).post(
        url, {"text": "Mother called", "is_shared": "on"}
    )
    assert Note.objects.get().is_shared


def test_an_empty_note_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/notes/"
    response = staff_client(personas["police_investigator"]).post(url, {"text": ""})
    assert response.status_code == 400
    assert not Note.objects.exists()


def test_a_closed_case_is_a_400(police_case, personas, staff_client):
    police_case.status, police_case.closed_at = "closed", police_case.opened_at
    police_case.save()
    url = f"/cases/{police_case.pk}/notes/"
    response = staff_client(personas["hotline_operator"]).post(url, {"text": "late"})
    assert response.status_code == 400


def test_another_agency_gets_404(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/notes/"
    response = staff_client(personas["education_officer"]).post(url, {"text": "hello"})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/notes/"
    assert staff_client(personas["police_investigator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/notes/"
    assert client.post(url, {"text": "x"})["Location"] == f"/login/?next={url}"
