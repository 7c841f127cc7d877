from __future__ import annotations

import datetime as dt

from childsafe.orgs.models import Organisation, OrgKind


def listed(response):
    return {org.code for org in response.context["orgs"]}


def test_it_lists_the_own_organisation_and_units_below(personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/organisations/")
    assert response.status_code == 200
    assert listed(response) == {"sgddt-qn", "thcs-le-loi"}


def test_other_agencies_are_not_listed(personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/organisations/")
    assert "ca-qn" not in listed(response)
    assert "stttt-qn" not in listed(response)


def test_province_wide_roles_see_every_organisation(personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get("/organisations/")
    assert listed(response) == set(Organisation.objects.values_list("code", flat=True))


def test_it_filters_by_kind(personas, staff_client):
    response = staff_client(personas["auditor"]).get("/organisations/?kind=police")
    assert listed(response) == {"ca-qn", "ca-tk"}


def test_an_unknown_kind_is_ignored(personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/organisations/?kind=bogus")
    assert response.status_code == 200
    assert listed(response) == {"sgddt-qn", "thcs-le-loi"}


def test_ended_units_show_only_on_request(orgs, personas, staff_client):
    Organisation.objects.create(
        code="old-school",
        name="Trường cũ",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=dt.date(2010, 1, 1),
        effective_to=dt.date(2020, 1, 1),
    )
    client = staff_client(personas["education_officer"])
    assert "old-school" not in listed(client.get("/organisations/"))
    assert "old-school" in listed(client.get("/organisations/?ended=1"))


def test_it_shows_who_holds_each_function(personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/en/organisations/")
    holders = dict(response.context["holders"])
    assert holders["Online content takedown requests"].code == "stttt-qn"


def test_it_refuses_post(personas, staff_client):
    assert staff_client(personas["auditor"]).post("/organisations/").status_code == 405


def test_a_role_without_permission_gets_403(personas, staff_client):
    assert staff_client(personas["provider_contact"]).get("/organisations/").status_code == 403


def test_logged_out_goes_to_login(client, db):
    assert client.get("/organisations/")["Location"] == "/login/?next=/organisations/"
