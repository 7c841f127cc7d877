"""/filter/figures/ and /filter/figures/csv/: blocked queries across the schools, per
tier and category, per hour of the day, and the most blocked names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import FilterStats, FilterTopDomain
from childsafe.blocklist.policy.figures import hour_chart
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.testing import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_school(orgs):
    return Organisation.objects.create(
        code="th-other",
        name="Trường TH Khác",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
    )


def local_hour(hour: int, days_ago: int = 0) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def stats(orgs, other_school):
    today = timezone.localdate()
    rows = [
        (orgs.school, local_hour(9), "primary", "adult", 7),
        (orgs.school, local_hour(9), "primary", "forward", 1000),
        (orgs.school, local_hour(14), "staff", "authority", 2),
        (other_school, local_hour(9), "primary", "adult", 3),
        (other_school, local_hour(10), "lower_secondary", "games", 5),
        (other_school, local_hour(10, days_ago=30), "primary", "adult", 100),
    ]
    for school, hour, tier, outcome, count in rows:
        FilterStats.objects.create(
            school=school, hour=hour, tier=tier, outcome=outcome, count=count
        )
    for school, domain, count in [
        (orgs.school, "bad.example", 4),
        (other_school, "bad.example", 6),
        (other_school, "game.example", 5),
    ]:
        FilterTopDomain.objects.create(school=school, day=today, domain=domain, count=count)


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["education_officer"])


def test_it_shows_the_last_week_across_schools(officer_client, stats):
    response = officer_client.get("/en/filter/figures/")
    assert response.status_code == 200
    figs = response.context["figs"]
    assert (figs.total, figs.blocked) == (1017, 17)
    assert figs.outcomes == ["authority", "adult", "games"]
    by_tier = {label: counts for label, counts, _total in figs.by_tier}
    assert by_tier["Primary (6-11)"] == [0, 10, 0]
    assert by_tier["Staff"] == [2, 0, 0]
    assert figs.by_hour[9] == 10 and figs.by_hour[10] == 5 and figs.by_hour[14] == 2
    assert figs.top_domains == [("bad.example", 10), ("game.example", 5)]
    text = response.content.decode()
    assert "<svg" in text and '<title id="chart-blocked-by-hour-title">' in text
    assert "Blocked queries by hour of the day" in text


def test_it_filters_by_school_and_dates(officer_client, orgs, other_school, stats):
    start = (timezone.localdate() - dt.timedelta(days=31)).isoformat()
    response = officer_client.get(
        "/en/filter/figures/", {"school": other_school.pk, "start": start}
    )
    figs = response.context["figs"]
    assert figs.blocked == 108
    assert figs.top_domains == [("bad.example", 6), ("game.example", 5)]


def test_bad_filters_are_form_errors(officer_client, stats):
    response = officer_client.get(
        "/en/filter/figures/", {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "The first day comes after the last one." in response.content.decode()
    assert officer_client.get("/en/filter/figures/", {"start": "nope"}).status_code == 400
    assert officer_client.get("/en/filter/figures/", {"school": 999999}).status_code == 400
    assert officer_client.get("/en/filter/figures/csv/", {"start": "nope"}).status_code == 400
    assert not AuditEvent.objects.filter(action="filter.figures_export").exists()


def test_the_csv_export_is_audited(officer_client, stats):
    response = officer_client.get("/en/filter/figures/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "By tier,Primary (6-11),Adult content,,,10" in text
    assert "By hour of day,,,09:00,,10" in text
    assert "Most blocked domains,,,,bad.example,10" in text
    event = AuditEvent.objects.get(action="filter.figures_export")
    assert event.detail["blocked"] == 17 and event.detail["school"] is None


def test_the_coordinator_sees_them_too(personas, staff_client, stats):
    client = staff_client(personas["province_coordinator"])
    assert client.get("/en/filter/figures/").status_code == 200
    assert client.get("/en/filter/figures/csv/").status_code == 200


def test_wrong_method_is_refused(officer_client):
    assert officer_client.post("/en/filter/figures/").status_code == 405
    assert officer_client.post("/en/filter/figures/csv/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/en/filter/figures/").status_code == 302
    assert client.get("/en/filter/figures/csv/").status_code == 302


def test_school_it_admins_and_ict_officers_are_refused(personas, staff_client):
    for role in ("school_it_admin", "ict_officer"):
        client = staff_client(personas[role])
        assert client.get("/en/filter/figures/").status_code == 403
        assert client.get("/en/filter/figures/csv/").status_code == 403


def test_the_chart_scales_to_the_busiest_hour():
    chart = hour_chart([0] * 9 + [10] + [5] + [0] * 13)
    assert chart.bars[9].height == "170.0" and chart.bars[10].height == "85.0"
    assert chart.bars[0].height == "0.0" and not chart.is_empty
    assert hour_chart([0] * 24).is_empty
