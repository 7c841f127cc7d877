"""GET and POST /poi/: persons of interest, police only."""

from __future__ import annotations

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import PersonOfInterest
from childsafe.cases.services import poi_create
from childsafe.orgs.roles import Role
from childsafe.testing import make_user

DATA = {
    "label": "Nguyễn Văn X",
    "source": "earlier_case",
    "legal_basis": "Quyết định khởi tố 3/2025",
    "notes": "Used three accounts",
}


def test_the_police_record_a_person(orgs, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post("/poi/", DATA)
    person = PersonOfInterest.objects.get()
    assert response["Location"] == f"/poi/{person.pk}/"
    assert (person.label, person.organisation) == ("Nguyễn Văn X", orgs.district_police)
    assert AuditEvent.objects.filter(action="poi.create").exists()


def test_the_list_shows_the_units_persons_only(orgs, personas, staff_client):
    police = personas["police_investigator"]
    poi_create(label="Ours", notes="", source="earlier_case", legal_basis="x", actor=police)
    province = make_user("province-police", Role.POLICE_INVESTIGATOR, orgs.police)
    poi_create(label="Theirs", notes="", source="earlier_case", legal_basis="x", actor=province)
    page = staff_client(police).get("/poi/").content.decode()
    assert "Ours" in page and "Theirs" not in page
    page = staff_client(province).get("/poi/").content.decode()
    assert "Ours" in page and "Theirs" in page  # the province police see the units below


def test_a_form_error_is_a_400(personas, staff_client):
    response = staff_client(personas["police_investigator"]).post("/poi/", {"label": "x"})
    assert response.status_code == 400
    assert not PersonOfInterest.objects.exists()


def test_other_roles_are_refused(personas, staff_client):
    for role in ("province_coordinator", "social_worker", "auditor", "hotline_operator"):
        client = staff_client(personas[role])
        assert client.get("/poi/").status_code == 403
        assert client.post("/poi/", DATA).status_code == 403
    assert not PersonOfInterest.objects.exists()


def test_another_agency_gets_404_for_a_person_of_another_unit(orgs, personas, staff_client):
    province = make_user("province-police", Role.POLICE_INVESTIGATOR, orgs.police)
    person = poi_create(
        label="T", notes="", source="earlier_case", legal_basis="x", actor=province
    )
    response = staff_client(personas["police_investigator"]).get(f"/poi/{person.pk}/")
    assert response.status_code == 404


def test_wrong_method_is_a_405(personas, staff_client):
    assert staff_client(personas["police_investigator"]).put("/poi/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/poi/")["Location"] == "/login/?next=/poi/"
