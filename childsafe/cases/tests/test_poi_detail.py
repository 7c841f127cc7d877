"""GET and POST /poi/<id>/: a person of interest and its identifiers, police only."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import OffenderIdentifier
from childsafe.cases.services import poi_create
from childsafe.orgs.roles import Role
from childsafe.testing import make_user


@pytest.fixture
def person(personas):
    return poi_create(
        label="Nguyễn Văn X",
        notes="",
        source="prior_conviction",
        legal_basis="Bản án 12/2021",
        actor=personas["police_investigator"],
    )


def test_it_shows_the_person_and_audits_the_view(person, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(f"/poi/{person.pk}/")
    assert response.status_code == 200
    assert "Nguyễn Văn X" in response.content.decode()
    assert AuditEvent.objects.get(action="poi.view").object_id == str(person.pk)


def test_it_adds_an_identifier(person, personas, staff_client):
    url = f"/poi/{person.pk}/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"kind": "phone", "value": "0905 123 456"}
    )
    assert response["Location"] == url
    assert OffenderIdentifier.objects.get().value == "+84905123456"


def test_an_invalid_identifier_is_a_400(person, personas, staff_client):
    url = f"/poi/{person.pk}/"
    client = staff_client(personas["police_investigator"])
    assert client.post(url, {"kind": "email", "value": "nope"}).status_code == 400
    assert client.post(url, {"kind": "fax", "value": "1"}).status_code == 400
    assert not OffenderIdentifier.objects.exists()


def test_a_repeated_identifier_is_a_400(person, personas, staff_client):
    url = f"/poi/{person.pk}/"
    client = staff_client(personas["police_investigator"])
    client.post(url, {"kind": "handle", "value": "@KeXau"})
    response = client.post(url, {"kind": "handle", "value": "kexau"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert OffenderIdentifier.objects.count() == 1


def test_other_roles_are_refused(person, personas, staff_client):
    for role in ("province_coordinator", "social_worker", "ict_officer", "auditor"):
        client = staff_client(personas[role])
        assert client.get(f"/poi/{person.pk}/").status_code == 403
        response = client.post(f"/poi/{person.pk}/", {"kind": "handle", "value": "x"})
        assert response.status_code == 403
    assert not OffenderIdentifier.objects.exists()


def test_another_police_unit_gets_404(orgs, person, staff_client):
    other = make_user("other-police", Role.POLICE_INVESTIGATOR, orgs.ict)
    assert staff_client(other).get(f"/poi/{person.pk}/").status_code == 404
    assert staff_client(other).get("/poi/999999/").status_code == 404


def test_wrong_method_is_a_405(person, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).delete(f"/poi/{person.pk}/").status_code
        == 405
    )


def test_logged_out_goes_to_login(client, person):
    url = f"/poi/{person.pk}/"
    assert client.get(url)["Location"] == f"/login/?next={url}"
