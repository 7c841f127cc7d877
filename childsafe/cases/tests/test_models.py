"""Constraints and small methods of the case models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from childsafe.cases.models import AppendOnlyError, Case, CaseEvent, RoutingRule


def test_the_reference_carries_the_local_year():
    # 31 December 17:30 UTC is already 1 January in Vietnam.
    opened = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert Case.make_reference(42, opened) == "CS-2026-000042"


def test_timeline_events_cannot_change(police_case):
    event = police_case.events.create(kind="note_added")
    event.detail = {"x": 1}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=event.pk).update(kind="closed")
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.all().delete()


def test_a_closed_case_has_a_closing_time(police_case):
    police_case.status = "closed"
    with pytest.raises(IntegrityError), transaction.atomic():
        police_case.save()


def test_a_rejection_has_a_reason(police_case):
    task = police_case.agency_tasks.get()
    task.status = "rejected"
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()


@pytest.mark.parametrize(
    ("rule", "kwargs", "expected"),
    [
        ({}, {"has_urls": False, "territory_ids": set()}, True),
        ({"requires_url": True}, {"has_urls": False, "territory_ids": set()}, False),
        ({"requires_url": True}, {"has_urls": True, "territory_ids": set()}, True),
        ({"is_active": False}, {"has_urls": True, "territory_ids": set()}, False),
        ({"territory_id": 7}, {"has_urls": True, "territory_ids": {3, 7}}, True),
        ({"territory_id": 7}, {"has_urls": True, "territory_ids": {3}}, False),
    ],
)
def test_a_rule_matches(rule, kwargs, expected):
    assert (
        RoutingRule(category="csam", function="takedown", **rule).matches("csam", **kwargs)
        is expected
    )
    assert (
        RoutingRule(category="scam", function="takedown", **rule).matches("csam", **kwargs)
        is False
    )
