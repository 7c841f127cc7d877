from __future__ import annotations

import datetime as dt

import pytest

from childsafe.orgs.models import Organisation, OrgKind, SuccessionKind
from childsafe.orgs.services import org_succeed


def test_it_shows_the_own_organisation(orgs, personas, staff_client):
    response = staff_client(personas["education_officer"]).get(
        f"/organisations/{orgs.education.pk}/"
    )
    assert response.status_code == 200
    assert "Sở Giáo dục và Đào tạo" in response.content.decode()


def test_it_shows_units_below_the_own_organisation(orgs, personas, staff_client):
    response = staff_client(personas["education_officer"]).get(f"/organisations/{orgs.school.pk}/")
    assert response.status_code == 200
    assert "Trường THCS Lê Lợi" in response.content.decode()


def test_other_agency_gets_404(orgs, personas, staff_client):
    client = staff_client(personas["education_officer"])
    assert client.get(f"/organisations/{orgs.ict.pk}/").status_code == 404


def test_a_school_it_admin_gets_404_for_the_police(orgs, personas, staff_client):
    client = staff_client(personas["school_it_admin"])
    assert client.get(f"/organisations/{orgs.police.pk}/").status_code == 404


def test_a_school_it_admin_gets_404_for_the_department_above(orgs, personas, staff_client):
    client = staff_client(personas["school_it_admin"])
    assert client.get(f"/organisations/{orgs.education.pk}/").status_code == 404


def test_a_district_police_investigator_gets_404_for_the_province_police(
    orgs, personas, staff_client
):
    client = staff_client(personas["police_investigator"])
    assert client.get(f"/organisations/{orgs.district_police.pk}/").status_code == 200
    assert client.get(f"/organisations/{orgs.police.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["province_coordinator", "auditor", "system_admin"])
def test_province_wide_roles_see_every_organisation(orgs, personas, staff_client, role):
    client = staff_client(personas[role])
    for org in Organisation.objects.all():
        assert client.get(f"/organisations/{org.pk}/").status_code == 200, org.code


def test_a_missing_organisation_gets_404(personas, staff_client):
    client = staff_client(personas["province_coordinator"])
    assert client.get("/organisations/999999/").status_code == 404


def test_an_ended_unit_names_its_successor(orgs, personas, staff_client):
    merged = Organisation.objects.create(
        code="sgd-khcn", name="Sở Khoa học và Công nghệ", kind=OrgKind.DEPARTMENT
    )
    org_succeed(
        [orgs.ict],
        [merged],
        on=dt.date(2025, 3, 1),
        kind=SuccessionKind.MERGE,
        actor=personas["system_admin"],
    )
    response = staff_client(personas["province_coordinator"]).get(f"/organisations/{orgs.ict.pk}/")
    assert response.status_code == 200
    assert f'<a href="/organisations/{merged.pk}/">Sở Khoa học và Công nghệ</a>' in (
        response.content.decode()
    )


def test_it_refuses_post(orgs, personas, staff_client):
    client = staff_client(personas["education_officer"])
    assert client.post(f"/organisations/{orgs.education.pk}/").status_code == 405


def test_a_role_without_permission_gets_403(orgs, personas, staff_client):
    client = staff_client(personas["provider_contact"])
    assert client.get(f"/organisations/{orgs.provider.pk}/").status_code == 403


def test_logged_out_goes_to_login(client, orgs):
    response = client.get(f"/organisations/{orgs.education.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/organisations/{orgs.education.pk}/"
