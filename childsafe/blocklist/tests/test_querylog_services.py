"""Query log periods (``query_log_enable``, ``query_log_end``) and the ``query_log``
field of the compiled policy."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import QueryLogPeriod
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.dnsfilter.policy import load_policy
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.testing import START

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
REASON = "Suspected use of a VPN in the computer room, to find the device"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin(personas):
    return personas["school_it_admin"]


def enable(orgs, admin, **options):
    values = {"ends_at": NOW + DAY, "reason": REASON, **options}
    return services.query_log_enable(orgs.school, actor=admin, **values)


def test_it_enables_a_period_from_now_with_an_audited_reason(orgs, admin):
    period = enable(orgs, admin)
    assert (period.starts_at, period.ends_at, period.enabled_by) == (NOW, NOW + DAY, admin)
    assert period.is_active()
    event = AuditEvent.objects.get(action="filter.query_log_enable")
    assert event.detail == {
        "school": orgs.school.pk,
        "starts_at": NOW.isoformat(),
        "ends_at": (NOW + DAY).isoformat(),
        "reason": REASON,
    }


def test_a_period_of_exactly_7_days_is_allowed_and_longer_refused(orgs, admin):
    with pytest.raises(services.PolicyError) as caught:
        enable(orgs, admin, ends_at=NOW + 7 * DAY + dt.timedelta(seconds=1))
    assert (caught.value.code, caught.value.field) == ("too-long", "ends_at")
    assert "at most 7 days" in caught.value.message
    assert enable(orgs, admin, ends_at=NOW + 7 * DAY).ends_at == NOW + 7 * DAY


def test_a_period_in_the_past_is_refused(orgs, admin):
    with pytest.raises(services.PolicyError) as caught:
        enable(orgs, admin, starts_at=NOW - DAY, ends_at=NOW + HOUR)
    assert caught.value.code == "past"
    with pytest.raises(services.PolicyError) as caught:
        enable(orgs, admin, ends_at=NOW - HOUR)
    assert caught.value.code == "order"
    assert not QueryLogPeriod.objects.exists()
    assert not AuditEvent.objects.filter(action="filter.query_log_enable").exists()


def test_a_start_typed_a_moment_ago_counts_as_now(orgs, admin):
    period = enable(orgs, admin, starts_at=NOW - dt.timedelta(minutes=2))
    assert period.starts_at == NOW


def test_overlapping_periods_are_refused(orgs, admin):
    enable(orgs, admin, starts_at=NOW + DAY, ends_at=NOW + 3 * DAY)
    for start, end in [(NOW, NOW + 2 * DAY), (NOW + 2 * DAY, NOW + 4 * DAY)]:
        with pytest.raises(services.PolicyError) as caught:
            enable(orgs, admin, starts_at=start, ends_at=end)
        assert caught.value.code == "overlap"
    enable(orgs, admin, starts_at=NOW, ends_at=NOW + DAY)  # touching is fine
    enable(orgs, admin, starts_at=NOW + 3 * DAY, ends_at=NOW + 4 * DAY)
    assert QueryLogPeriod.objects.count() == 3


def test_a_period_ended_early_leaves_room_for_another(orgs, admin, frozen):
    period = enable(orgs, admin, ends_at=NOW + 2 * DAY)
    frozen.shift(HOUR)
    services.query_log_end(period, actor=admin)
    enable(orgs, admin, ends_at=NOW + DAY)


def test_a_reason_is_required_and_short(orgs, admin):
    for reason, code in [("  ", "reason"), ("x" * 301, "reason")]:
        with pytest.raises(services.PolicyError) as caught:
            enable(orgs, admin, reason=reason)
        assert caught.value.code == code


def test_only_schools_have_periods(orgs, admin):
    with pytest.raises(services.PolicyError):
        services.query_log_enable(orgs.ict, actor=admin, ends_at=NOW + DAY, reason=REASON)


def test_ending_early_is_audited_with_ids_only(orgs, admin, personas, frozen):
    period = enable(orgs, admin)
    frozen.shift(HOUR)
    officer = personas["education_officer"]
    ended = services.query_log_end(period, actor=officer)
    assert (ended.ended_early_at, ended.ended_early_by) == (NOW + HOUR, officer)
    assert not ended.is_active()
    event = AuditEvent.objects.get(action="filter.query_log_end")
    assert event.detail == {"school": orgs.school.pk}
    assert event.object_id == str(period.pk)
    with pytest.raises(services.PolicyError) as caught:
        services.query_log_end(period, actor=officer)
    assert caught.value.code == "over"


def test_a_period_to_come_can_be_ended_before_it_starts(orgs, admin):
    period = enable(orgs, admin, starts_at=NOW + DAY, ends_at=NOW + 2 * DAY)
    services.query_log_end(period, actor=admin)
    assert services.query_log_active(orgs.school, NOW + DAY + HOUR) is None


# -- The compiled policy -----------------------------------------------------------------


def test_the_document_has_the_field_only_during_the_period(orgs, admin, frozen):
    before = policy_compile(orgs.school)
    assert "query_log" not in before
    period = enable(orgs, admin, starts_at=NOW + HOUR, ends_at=NOW + DAY)
    assert "query_log" not in policy_compile(orgs.school)
    frozen.shift(HOUR)
    during = policy_compile(orgs.school)
    assert during["query_log"] == {"until": "2026-12-01T16:00:00+07:00", "period_id": period.pk}
    assert during["version"] != before["version"]
    policy = load_policy(during)
    assert policy.query_log_until == (NOW + DAY).timestamp()
    assert policy.query_log_period == period.pk
    frozen.shift(DAY - HOUR)
    after = policy_compile(orgs.school)
    assert "query_log" not in after
    assert after["version"] == before["version"]


def test_ending_early_drops_the_field(orgs, admin, frozen):
    period = enable(orgs, admin)
    assert "query_log" in policy_compile(orgs.school)
    frozen.shift(HOUR)
    services.query_log_end(period, actor=admin)
    assert "query_log" not in policy_compile(orgs.school)
    assert load_policy(policy_compile(orgs.school)).query_log_until is None


def test_another_schools_period_is_not_in_the_document(orgs, admin):
    other = Organisation.objects.create(
        code="thcs-other",
        name="Other",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
    )
    enable(orgs, admin)
    assert services.query_log_active(orgs.school, timezone.now()) is not None
    assert services.query_log_active(other) is None
    assert "query_log" not in policy_compile(other)
