"""/filter/school/ and its forms: a school IT admin's networks, deny list and requests."""

from __future__ import annotations

import pytest

from childsafe.blocklist.models import SchoolListEntry, SchoolNetwork
from childsafe.orgs.roles import Role
from childsafe.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(personas, staff_client):
    return staff_client(personas["school_it_admin"])


def test_the_page_shows_the_school(admin_client, orgs):
    response = admin_client.get("/en/filter/school/")
    assert response.status_code == 200
    assert "Trường THCS Lê Lợi" in response.content.decode()


def test_it_adds_a_network(admin_client, orgs):
    response = admin_client.post(
        "/en/filter/school/networks/", {"cidr": "10.10.1.0/24", "tier": "primary"}
    )
    assert response.status_code == 302
    assert SchoolNetwork.objects.get().school == orgs.school


def test_a_bad_network_is_a_form_error(admin_client):
    response = admin_client.post("/en/filter/school/networks/", {"cidr": "10.1/99", "tier": "x"})
    assert response.status_code == 400
    assert not SchoolNetwork.objects.exists()
    response = admin_client.post("/en/filter/school/networks/", {"cidr": "nope", "tier": "staff"})
    assert response.status_code == 400
    assert "such as 10.10.1.0/24" in response.content.decode()


def test_it_blocks_a_domain_and_asks_to_allow_another(admin_client, orgs):
    deny = admin_client.post("/en/filter/school/entries/", {"kind": "deny", "domain": "g.example"})
    assert deny.status_code == 302
    allow = admin_client.post(
        "/en/filter/school/entries/",
        {"kind": "allow", "domain": "wiki.example", "reason": "Research"},
    )
    assert allow.status_code == 302
    assert set(SchoolListEntry.objects.values_list("kind", "domain", "status")) == {
        ("deny", "g.example", "approved"),
        ("allow", "wiki.example", "requested"),
    }


def test_an_allow_request_without_a_reason_is_refused(admin_client):
    response = admin_client.post(
        "/en/filter/school/entries/", {"kind": "allow", "domain": "wiki.example"}
    )
    assert response.status_code == 400
    assert "Give a reason." in response.content.decode()
    assert not SchoolListEntry.objects.exists()


def test_wrong_methods_are_refused(admin_client):
    assert admin_client.post("/en/filter/school/").status_code == 405
    assert admin_client.get("/en/filter/school/networks/").status_code == 405
    assert admin_client.get("/en/filter/school/entries/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/en/filter/school/").status_code == 302
    response = client.post("/en/filter/school/networks/", {"cidr": "10.0.0.0/8", "tier": "staff"})
    assert response.status_code == 302
    assert not SchoolNetwork.objects.exists()


def test_an_it_admin_outside_a_school_gets_404(orgs, staff_client):
    admin = make_user("lostit", Role.SCHOOL_IT_ADMIN, orgs.ict)
    client = staff_client(admin)
    assert client.get("/en/filter/school/").status_code == 404
    response = client.post("/en/filter/school/networks/", {"cidr": "10.0.0.0/8", "tier": "staff"})
    assert response.status_code == 404
    assert not SchoolNetwork.objects.exists()


def test_other_roles_are_refused(personas, staff_client):
    assert staff_client(personas["education_officer"]).get("/en/filter/school/").status_code == 403
