"""POST /blocklist/<id>/lift/: an officer lifts an entry with a decision."""

from __future__ import annotations

import pytest

from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["ict_officer"])


def test_it_lifts_the_entry(add, officer_client, officer):
    entry = add("bad.example")
    response = officer_client.post(f"/blocklist/{entry.pk}/lift/", {"decision": "Ruling 2"})
    assert response.status_code == 302
    assert response["Location"] == f"/blocklist/{entry.pk}/"
    entry.refresh_from_db()
    assert (entry.lift_decision, entry.lifted_by) == ("Ruling 2", officer)
    assert zone_domains(AUTHORITY_ZONE) == frozenset()


def test_a_blank_decision_is_a_400(add, officer_client):
    entry = add("bad.example")
    for decision in ("", "   "):
        response = officer_client.post(f"/blocklist/{entry.pk}/lift/", {"decision": decision})
        assert response.status_code == 400
        assert response.context["lift_form"].errors["decision"]
    entry.refresh_from_db()
    assert entry.is_active()


def test_lifting_twice_is_a_409_with_a_message(add, officer_client):
    entry = add("bad.example")
    officer_client.post(f"/blocklist/{entry.pk}/lift/", {"decision": "first"})
    response = officer_client.post(f"/en/blocklist/{entry.pk}/lift/", {"decision": "second"})
    assert response.status_code == 409
    assert b"no longer active" in response.content
    entry.refresh_from_db()
    assert entry.lift_decision == "first"


def test_a_missing_entry_is_404(officer_client, db):
    assert officer_client.post("/blocklist/999999/lift/", {"decision": "x"}).status_code == 404


def test_the_coordinator_may_not_lift(add, personas, staff_client):
    entry = add("bad.example")
    client = staff_client(personas["province_coordinator"])
    assert client.post(f"/blocklist/{entry.pk}/lift/", {"decision": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.is_active()


def test_get_is_refused(add, officer_client):
    entry = add("bad.example")
    assert officer_client.get(f"/blocklist/{entry.pk}/lift/").status_code == 405


def test_logged_out_goes_to_login(add, client):
    entry = add("bad.example")
    response = client.post(f"/blocklist/{entry.pk}/lift/", {"decision": "x"})
    assert response["Location"].startswith("/login/?next=")
