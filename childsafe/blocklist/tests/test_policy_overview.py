"""/filter/ and POST /filter/requests/<id>/decide/: the education officer's view of the
schools, their filter boxes' sync and the allow requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import FilterBoxStatus
from childsafe.blocklist.policy import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_entry(personas, orgs):
    return services.school_allow_request(
        orgs.school, actor=personas["school_it_admin"], domain="wiki.example", reason="Research"
    )


def decide(client, entry, **data):
    return client.post(f"/en/filter/requests/{entry.pk}/decide/", data)


def test_the_officer_sees_schools_and_pending_requests(personas, staff_client, request_entry):
    response = staff_client(personas["education_officer"]).get("/en/filter/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trường THCS Lê Lợi" in text
    assert "wiki.example" in text
    assert "Decide" in text


def test_the_coordinator_sees_them_read_only(personas, staff_client, request_entry):
    client = staff_client(personas["province_coordinator"])
    text = client.get("/en/filter/").content.decode()
    assert "wiki.example" in text
    assert "Decide" not in text
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 403


def test_the_officer_approves_with_a_reason(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    response = decide(client, request_entry, decision="approve", reason="Needed for class")
    assert response.status_code == 302
    request_entry.refresh_from_db()
    assert (request_entry.status, request_entry.reason) == ("approved", "Needed for class")
    assert AuditEvent.objects.filter(action="filter.allow_approve").exists()
    again = decide(client, request_entry, decision="refuse", reason="x")
    assert again.status_code == 409


def test_a_decision_without_a_reason_is_a_form_error(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    response = decide(client, request_entry, decision="refuse", reason="")
    assert response.status_code == 400
    request_entry.refresh_from_db()
    assert request_entry.status == "requested"


def test_wrong_method_and_missing_request(personas, staff_client, request_entry):
    client = staff_client(personas["education_officer"])
    assert client.get(f"/en/filter/requests/{request_entry.pk}/decide/").status_code == 405
    assert client.post("/en/filter/").status_code == 405
    missing = client.post("/en/filter/requests/999999/decide/", {"decision": "approve"})
    assert missing.status_code == 404


def test_a_deny_entry_is_not_a_request_to_decide(personas, orgs, staff_client):
    deny = services.school_deny_add(
        orgs.school, actor=personas["school_it_admin"], domain="g.example"
    )
    client = staff_client(personas["education_officer"])
    assert decide(client, deny, decision="approve", reason="x").status_code == 404


def test_logged_out_goes_to_login(client, request_entry):
    assert client.get("/en/filter/").status_code == 302
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 302
    request_entry.refresh_from_db()
    assert request_entry.status == "requested"


def test_school_it_admins_are_refused(personas, staff_client, request_entry):
    client = staff_client(personas["school_it_admin"])
    assert client.get("/en/filter/").status_code == 403
    assert decide(client, request_entry, decision="approve", reason="x").status_code == 403


def _box(school, *, fetched_ago: dt.timedelta | None, stats_ago: dt.timedelta | None):
    now = timezone.now()
    return FilterBoxStatus.objects.create(
        school=school,
        policy_version="ab" * 32,
        last_policy_fetch_at=now - fetched_ago if fetched_ago is not None else None,
        last_stats_at=now - stats_ago if stats_ago is not None else None,
    )


def test_a_box_that_never_synced_shows_a_warning(personas, staff_client):
    text = staff_client(personas["education_officer"]).get("/en/filter/").content.decode()
    assert "never downloaded" in text
    assert "never" in text


def test_a_fresh_box_is_up_to_date(personas, staff_client, orgs):
    _box(orgs.school, fetched_ago=dt.timedelta(minutes=5), stats_ago=dt.timedelta(minutes=20))
    response = staff_client(personas["education_officer"]).get("/en/filter/")
    (_school, box) = response.context["schools"][0]
    assert not (box.is_fetch_late or box.is_stats_late or box.is_behind)
    text = response.content.decode()
    assert "5\xa0minutes ago" in text and "20\xa0minutes ago" in text
    assert "up to date" in text
    assert "over an hour ago" not in text


def test_a_silent_box_behind_a_change_is_flagged(personas, staff_client, orgs):
    _box(orgs.school, fetched_ago=dt.timedelta(hours=3), stats_ago=dt.timedelta(hours=2))
    services.school_deny_add(orgs.school, actor=personas["school_it_admin"], domain="g.example")
    response = staff_client(personas["education_officer"]).get("/en/filter/")
    (_school, box) = response.context["schools"][0]
    assert box.is_fetch_late and box.is_stats_late and box.is_behind
    text = response.content.decode()
    assert "older than the last change" in text
    assert "over an hour ago" in text


def test_a_province_change_puts_every_box_behind(personas, staff_client, orgs):
    _box(orgs.school, fetched_ago=dt.timedelta(minutes=5), stats_ago=dt.timedelta(minutes=5))
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=None,
        tier="primary",
        category="games",
        is_blocked=True,
    )
    client = staff_client(personas["education_officer"])
    assert client.get("/en/filter/").context["schools"][0][1].is_behind
    FilterBoxStatus.objects.update(last_policy_fetch_at=timezone.now())
    assert not client.get("/en/filter/").context["schools"][0][1].is_behind
