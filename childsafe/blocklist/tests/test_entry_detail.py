"""GET /blocklist/<id>/: one entry, with the form that lifts it."""

from __future__ import annotations

import pytest

from childsafe.blocklist import services

pytestmark = pytest.mark.django_db


def test_the_officer_sees_the_entry_and_the_lift_form(add, personas, staff_client):
    entry = add("Ví-Dụ.vn", note="Decision 9")
    response = staff_client(personas["ict_officer"]).get(f"/blocklist/{entry.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "xn--v-d-rma6749a.vn" in text and "ví-dụ.vn" in text
    assert "Decision 9" in text
    assert f'action="/blocklist/{entry.pk}/lift/"' in text


def test_the_coordinator_sees_it_without_the_form(add, personas, staff_client):
    entry = add("bad.example")
    response = staff_client(personas["province_coordinator"]).get(f"/blocklist/{entry.pk}/")
    assert response.status_code == 200
    assert b"/lift/" not in response.content


def test_a_lifted_entry_shows_its_decision_and_no_form(add, officer, personas, staff_client):
    entry = add("bad.example")
    services.entry_lift(entry, actor=officer, decision="Court ruling 11")
    response = staff_client(personas["ict_officer"]).get(f"/blocklist/{entry.pk}/")
    assert b"Court ruling 11" in response.content
    assert b"/lift/" not in response.content


def test_a_url_entry_says_it_is_not_in_the_dns_feeds(add, personas, staff_client):
    entry = add("https://social.example/u/1")
    response = staff_client(personas["ict_officer"]).get(f"/en/blocklist/{entry.pk}/")
    assert response.context["entry"].kind == "url"
    assert b"not to the DNS feeds" in response.content


def test_a_missing_entry_is_404(personas, staff_client):
    assert staff_client(personas["ict_officer"]).get("/blocklist/999999/").status_code == 404


def test_roles_without_blocklist_view_are_refused(add, personas, staff_client):
    entry = add("bad.example")
    for role in ("police_investigator", "provider_contact", "system_admin"):
        assert staff_client(personas[role]).get(f"/blocklist/{entry.pk}/").status_code == 403


def test_post_is_refused(add, personas, staff_client):
    entry = add("bad.example")
    assert staff_client(personas["ict_officer"]).post(f"/blocklist/{entry.pk}/").status_code == 405


def test_logged_out_goes_to_login(add, client):
    entry = add("bad.example")
    assert client.get(f"/blocklist/{entry.pk}/")["Location"].startswith("/login/?next=")
