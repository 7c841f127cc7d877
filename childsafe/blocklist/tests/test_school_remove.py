"""POST /filter/school/networks/<id>/remove/ and /filter/school/entries/<id>/remove/: a
school IT admin removes a network, a deny entry, or withdraws an allow request."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import SchoolListEntry, SchoolNetwork
from childsafe.blocklist.policy import services
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.testing import START, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas["school_it_admin"]


@pytest.fixture
def network(orgs, admin):
    return services.school_network_add(orgs.school, actor=admin, cidr="10.1.0.0/16", tier="staff")


@pytest.fixture
def other_school(orgs):
    return Organisation.objects.create(
        code="th-other",
        name="Trường TH Khác",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
    )


def test_it_removes_a_network(staff_client, admin, network):
    response = staff_client(admin).post(f"/en/filter/school/networks/{network.pk}/remove/")
    assert response.status_code == 302
    assert not SchoolNetwork.objects.exists()
    assert AuditEvent.objects.filter(action="filter.network_remove").exists()


def test_it_removes_a_deny_entry_and_withdraws_a_request(staff_client, orgs, admin):
    deny = services.school_deny_add(orgs.school, actor=admin, domain="g.example")
    ask = services.school_allow_request(
        orgs.school, actor=admin, domain="wiki.example", reason="Research"
    )
    client = staff_client(admin)
    response = client.post(f"/en/filter/school/entries/{deny.pk}/remove/", follow=True)
    assert "removed from the school" in response.content.decode()
    response = client.post(f"/en/filter/school/entries/{ask.pk}/remove/", follow=True)
    assert "The request is withdrawn." in response.content.decode()
    assert not SchoolListEntry.objects.exists()
    assert AuditEvent.objects.filter(action="filter.entry_remove").count() == 2


def test_the_page_offers_the_buttons(staff_client, orgs, admin, network):
    services.school_allow_request(orgs.school, actor=admin, domain="wiki.example", reason="R")
    text = staff_client(admin).get("/en/filter/school/").content.decode()
    assert f"/en/filter/school/networks/{network.pk}/remove/" in text
    assert "Withdraw" in text


def test_wrong_method_is_refused(staff_client, admin, network):
    client = staff_client(admin)
    assert client.get(f"/en/filter/school/networks/{network.pk}/remove/").status_code == 405
    assert client.get("/en/filter/school/entries/1/remove/").status_code == 405
    assert SchoolNetwork.objects.exists()


def test_logged_out_goes_to_login(client, network):
    response = client.post(f"/en/filter/school/networks/{network.pk}/remove/")
    assert response.status_code == 302
    assert SchoolNetwork.objects.exists()


def test_another_schools_network_and_entry_get_404(staff_client, other_school, admin):
    other_admin = make_user("otherit", Role.SCHOOL_IT_ADMIN, other_school)
    network = services.school_network_add(
        other_school, actor=other_admin, cidr="10.9.0.0/16", tier="staff"
    )
    entry = services.school_deny_add(other_school, actor=other_admin, domain="x.example")
    client = staff_client(admin)
    assert client.post(f"/en/filter/school/networks/{network.pk}/remove/").status_code == 404
    assert client.post(f"/en/filter/school/entries/{entry.pk}/remove/").status_code == 404
    assert client.post("/en/filter/school/entries/999999/remove/").status_code == 404
    assert SchoolNetwork.objects.exists() and SchoolListEntry.objects.exists()


def test_other_roles_are_refused(personas, staff_client, network):
    client = staff_client(personas["education_officer"])
    assert client.post(f"/en/filter/school/networks/{network.pk}/remove/").status_code == 403
