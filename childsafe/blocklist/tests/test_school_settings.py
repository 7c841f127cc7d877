"""POST /filter/school/settings/: how a school's filter answers blocked names."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import SchoolFilterSettings
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.orgs.roles import Role
from childsafe.testing import make_user

pytestmark = pytest.mark.django_db
URL = "/en/filter/school/settings/"


@pytest.fixture
def admin_client(personas, staff_client):
    return staff_client(personas["school_it_admin"])


def test_it_sets_a_block_page(admin_client, orgs):
    response = admin_client.post(
        URL,
        {
            "block_mode": "blockpage",
            "block_ipv4": "10.0.0.5",
            "block_ipv6": "2001:db8::5",
            "default_tier": "staff",
        },
    )
    assert response.status_code == 302
    settings = SchoolFilterSettings.objects.get(school=orgs.school)
    assert (settings.block_ipv4, settings.block_ipv6, settings.default_tier) == (
        "10.0.0.5",
        "2001:db8::5",
        "staff",
    )
    document = policy_compile(orgs.school)
    assert document["block"] == {"mode": "blockpage", "ipv4": "10.0.0.5", "ipv6": "2001:db8::5"}
    assert document["default_tier"] == "staff"
    assert AuditEvent.objects.filter(action="filter.settings_set").exists()
    page = admin_client.get("/en/filter/school/").content.decode()
    assert 'value="10.0.0.5"' in page


def test_it_goes_back_to_nxdomain(admin_client, orgs):
    data = {"block_mode": "blockpage", "block_ipv4": "10.0.0.5", "default_tier": "primary"}
    admin_client.post(URL, data)
    data = {"block_mode": "nxdomain", "block_ipv4": "", "default_tier": "primary"}
    assert admin_client.post(URL, data).status_code == 302
    settings = SchoolFilterSettings.objects.get(school=orgs.school)
    assert (settings.block_mode, settings.block_ipv4) == ("nxdomain", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"block_mode": "blockpage", "default_tier": "primary"}, "needs its IPv4 or IPv6"),
        (
            {"block_mode": "blockpage", "block_ipv4": "2001:db8::1", "default_tier": "primary"},
            "Give an IPv4 address.",
        ),
        (
            {"block_mode": "nxdomain", "block_ipv6": "10.0.0.1", "default_tier": "primary"},
            "Give an IPv6 address.",
        ),
        ({"block_mode": "nope", "default_tier": "primary"}, "Select a valid choice"),
    ],
)
def test_bad_settings_are_form_errors(admin_client, data, message):
    response = admin_client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SchoolFilterSettings.objects.exists()


def test_wrong_method_is_refused(admin_client):
    assert admin_client.get(URL).status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.post(URL, {"block_mode": "nxdomain", "default_tier": "staff"}).status_code == 302
    assert not SchoolFilterSettings.objects.exists()


def test_an_it_admin_outside_a_school_gets_404(orgs, staff_client):
    client = staff_client(make_user("lostit", Role.SCHOOL_IT_ADMIN, orgs.ict))
    response = client.post(URL, {"block_mode": "nxdomain", "default_tier": "staff"})
    assert response.status_code == 404
    assert not SchoolFilterSettings.objects.exists()


def test_other_roles_are_refused(personas, staff_client):
    client = staff_client(personas["education_officer"])
    assert client.post(URL, {"block_mode": "nxdomain"}).status_code == 403
