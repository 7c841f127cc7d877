"""entry_lift: an officer lifts an entry with a recorded decision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.models import ZoneChange
from childsafe.blocklist.services import BlocklistError
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains, zone_serial

pytestmark = pytest.mark.django_db


def test_it_lifts_an_entry_and_takes_the_domain_out_of_the_zone(add, officer):
    entry = add("bad.example")
    services.entry_lift(entry, actor=officer, decision="  Court ruling 3/2026  ")
    entry.refresh_from_db()
    assert entry.lifted_at is not None and entry.lifted_by == officer
    assert entry.lift_decision == "Court ruling 3/2026"
    assert not entry.is_active()
    assert zone_domains(AUTHORITY_ZONE) == frozenset()
    change = ZoneChange.objects.get(serial=zone_serial(AUTHORITY_ZONE))
    assert (change.added, change.removed) == ([], ["bad.example"])
    event = AuditEvent.objects.get(action="blocklist.entry_lift")
    assert event.object_id == str(entry.pk)
    assert "Court" not in str(event.detail)


def test_lifting_a_url_leaves_the_zone_alone(add, officer):
    add("bad.example")
    url_entry = add("http://bad.example/other")
    serial = zone_serial(AUTHORITY_ZONE)
    services.entry_lift(url_entry, actor=officer, decision="mistake")
    assert zone_serial(AUTHORITY_ZONE) == serial
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}


def test_a_decision_is_required(add, officer):
    entry = add("bad.example")
    for decision in ("", "   ", "x" * 301):
        with pytest.raises(BlocklistError) as refused:
            services.entry_lift(entry, actor=officer, decision=decision)
        assert refused.value.field == "decision"
    entry.refresh_from_db()
    assert entry.is_active()


def test_an_entry_cannot_be_lifted_twice(add, officer):
    entry = add("bad.example")
    services.entry_lift(entry, actor=officer, decision="first")
    serial = zone_serial(AUTHORITY_ZONE)
    with pytest.raises(BlocklistError) as refused:
        services.entry_lift(entry, actor=officer, decision="second")
    assert refused.value.code == "inactive"
    entry.refresh_from_db()
    assert entry.lift_decision == "first"
    assert zone_serial(AUTHORITY_ZONE) == serial


def test_an_expired_entry_cannot_be_lifted(add, officer):
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        entry = add("bad.example", expires_at=timezone.now() + dt.timedelta(days=1))
    later = time_machine.travel(dt.datetime(2026, 3, 3, tzinfo=dt.UTC), tick=False)
    with later, pytest.raises(BlocklistError) as refused:
        services.entry_lift(entry, actor=officer, decision="late")
    assert refused.value.code == "inactive"
