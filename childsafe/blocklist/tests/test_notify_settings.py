"""POST /filter/school/settings/ with the box's NOTIFY address (``box_notify``)."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import SchoolFilterSettings
from childsafe.orgs.roles import Role
from childsafe.testing import make_user

pytestmark = pytest.mark.django_db
URL = "/en/filter/school/settings/"
BASE = {"block_mode": "nxdomain", "default_tier": "primary"}


@pytest.fixture
def admin_client(personas, staff_client):
    return staff_client(personas["school_it_admin"])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.5:53", "203.0.113.5:53"),
        (" 203.0.113.5 ", "203.0.113.5:53"),
        ("[2001:DB8::5]:5353", "[2001:db8::5]:5353"),
    ],
)
def test_it_registers_the_box_address(admin_client, orgs, given, stored):
    response = admin_client.post(URL, {**BASE, "box_notify": given})
    assert response.status_code == 302
    assert SchoolFilterSettings.objects.get(school=orgs.school).box_notify == stored
    event = AuditEvent.objects.filter(action="filter.settings_set").latest("id")
    assert event.detail["box_notify"] == stored
    page = admin_client.get("/en/filter/school/").content.decode()
    assert f'value="{stored}"' in page


def test_an_empty_address_takes_it_away(admin_client, orgs):
    admin_client.post(URL, {**BASE, "box_notify": "203.0.113.5:53"})
    assert admin_client.post(URL, {**BASE, "box_notify": ""}).status_code == 302
    assert SchoolFilterSettings.objects.get(school=orgs.school).box_notify == ""


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("box.school.example:53", "not a name"),
        ("203.0.113.5:0", "from 1 to 65535"),
        ("203.0.113.5:65536", "from 1 to 65535"),
        ("203.0.113.5:dns", "from 1 to 65535"),
        ("[2001:db8::5", "[2001:db8::5]:53"),
        ("x" * 61, "at most 60 characters"),
    ],
)
def test_a_bad_address_is_a_form_error(admin_client, given, message):
    response = admin_client.post(URL, {**BASE, "box_notify": given})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SchoolFilterSettings.objects.exists()


def test_wrong_method_is_refused(admin_client):
    assert admin_client.get(URL).status_code == 405


def test_logged_out_goes_to_login(client):
    response = client.post(URL, {**BASE, "box_notify": "203.0.113.5:53"})
    assert response.status_code == 302
    assert not SchoolFilterSettings.objects.exists()


def test_an_it_admin_outside_a_school_gets_404(orgs, staff_client):
    client = staff_client(make_user("lostit", Role.SCHOOL_IT_ADMIN, orgs.ict))
    response = client.post(URL, {**BASE, "box_notify": "203.0.113.5:53"})
    assert response.status_code == 404
    assert not SchoolFilterSettings.objects.exists()
