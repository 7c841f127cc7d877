"""/filter/rules/ and POST /filter/rules/set/: the province's default rules, tier by
category, set by the education officer and read by the coordinator."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import TierRule
from childsafe.blocklist.policy import services

pytestmark = pytest.mark.django_db
SET = "/en/filter/rules/set/"


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["education_officer"])


def test_the_grid_shows_the_defaults(personas, officer_client):
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=None,
        tier="primary",
        category="games",
        is_blocked=True,
        schedule=[{"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "17:00"}],
    )
    response = officer_client.get("/en/filter/rules/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mon Tue Wed Thu Fri 07:00–17:00" in text
    assert "Games" in text and "Save" in text


def test_it_blocks_a_category_in_two_windows(officer_client):
    response = officer_client.post(
        SET,
        {
            "tier": "lower_secondary",
            "category": "social",
            "is_blocked": "on",
            "days1": ["0", "2"],
            "start1": "07:00",
            "end1": "11:30",
            "days2": ["5"],
            "start2": "13:00",
            "end2": "17:00",
        },
    )
    assert response.status_code == 302
    rule = TierRule.objects.get(school=None, tier="lower_secondary", category="social")
    assert rule.is_blocked
    assert rule.schedule == [
        {"days": [0, 2], "start": "07:00", "end": "11:30"},
        {"days": [5], "start": "13:00", "end": "17:00"},
    ]
    assert AuditEvent.objects.filter(action="filter.rule_set").exists()


def test_it_unblocks_at_all_times(officer_client):
    officer_client.post(SET, {"tier": "staff", "category": "adult", "is_blocked": "on"})
    assert officer_client.post(SET, {"tier": "staff", "category": "adult"}).status_code == 302
    rule = TierRule.objects.get(tier="staff", category="adult")
    assert (rule.is_blocked, rule.schedule) == (False, [])


@pytest.mark.parametrize(
    "window",
    [
        {"days1": ["0"], "start1": "17:00", "end1": "07:00"},
        {"days1": ["0"], "start1": "7am", "end1": "17:00"},
        {"start1": "07:00", "end1": "17:00"},
    ],
)
def test_a_bad_window_is_a_form_error(officer_client, window):
    data = {"tier": "primary", "category": "games", "is_blocked": "on", **window}
    response = officer_client.post(SET, data)
    assert response.status_code == 400
    assert "start before end" in response.content.decode()
    assert not TierRule.objects.exists()


def test_a_bad_tier_is_a_form_error(officer_client):
    response = officer_client.post(SET, {"tier": "nope", "category": "games"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not TierRule.objects.exists()


def test_the_coordinator_reads_only(personas, staff_client):
    client = staff_client(personas["province_coordinator"])
    response = client.get("/en/filter/rules/")
    assert response.status_code == 200
    assert "/en/filter/rules/set/" not in response.content.decode()
    assert client.post(SET, {"tier": "primary", "category": "games"}).status_code == 403
    assert not TierRule.objects.exists()


def test_wrong_methods_are_refused(officer_client):
    assert officer_client.post("/en/filter/rules/").status_code == 405
    assert officer_client.get(SET).status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/en/filter/rules/").status_code == 302
    assert client.post(SET, {"tier": "primary", "category": "games"}).status_code == 302
    assert not TierRule.objects.exists()


def test_school_it_admins_are_refused(personas, staff_client):
    client = staff_client(personas["school_it_admin"])
    assert client.get("/en/filter/rules/").status_code == 403
    assert client.post(SET, {"tier": "primary", "category": "games"}).status_code == 403
