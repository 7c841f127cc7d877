"""entries_expire_next: the worker takes expired entries out of the zone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.models import ZoneChange
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains, zone_serial
from childsafe.cases.management.commands.worker import JOBS, run_jobs

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def expiring(add):
    with time_machine.travel(START, tick=False):
        soon = add("soon.example", expires_at=START + dt.timedelta(hours=1))
        later = add("later.example", expires_at=START + dt.timedelta(days=2))
        url = add("https://soon.example/x", expires_at=START + dt.timedelta(hours=2))
        never = add("never.example")
    return soon, later, url, never


def test_nothing_expires_before_its_time(expiring):
    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert services.entries_expire_next() is None
        assert zone_domains(AUTHORITY_ZONE) == {"soon.example", "later.example", "never.example"}


def test_expired_entries_leave_the_zone_one_at_a_time_with_the_decision(expiring):
    soon, later, url, never = expiring
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        serial = zone_serial(AUTHORITY_ZONE)
        assert services.entries_expire_next() == soon
        change = ZoneChange.objects.get(serial=serial + 1)
        assert change.removed == ["soon.example"]
        assert services.entries_expire_next() == url
        assert zone_serial(AUTHORITY_ZONE) == serial + 1  # a URL is not in the zone
        assert services.entries_expire_next() is None
        assert zone_domains(AUTHORITY_ZONE) == {"later.example", "never.example"}
    soon.refresh_from_db()
    assert soon.expiry_processed_at == START + dt.timedelta(hours=3)
    assert soon.lifted_at is None
    events = AuditEvent.objects.filter(action="blocklist.entry_expire").order_by("seq")
    assert [e.object_id for e in events] == [str(soon.pk), str(url.pk)]
    assert events[0].detail["decision"] == "expired"
    assert events[0].actor is None and events[0].actor_label == services.SYSTEM_ACTOR


def test_a_lifted_entry_is_not_expired_again(expiring, officer):
    soon = expiring[0]
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        services.entry_lift(soon, actor=officer, decision="lifted early")
    with time_machine.travel(START + dt.timedelta(hours=1, minutes=30), tick=False):
        assert services.entries_expire_next() is None


def test_the_worker_runs_the_expiry_job(expiring):
    assert "blocklist-expiry" in dict(JOBS)
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        assert run_jobs()["blocklist-expiry"] == 3
        assert zone_domains(AUTHORITY_ZONE) == {"never.example"}
