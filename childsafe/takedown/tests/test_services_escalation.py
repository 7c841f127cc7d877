"""Overdue orders escalate to the drafting officer's supervisor (a worker job)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from childsafe.audit.models import AuditEvent
from childsafe.cases.management.commands import worker
from childsafe.orgs.roles import Role
from childsafe.takedown import services
from childsafe.takedown.models import OrderStatus
from childsafe.testing import make_user

HCM = dt.timezone(dt.timedelta(hours=7))
ISSUED_AT = dt.datetime(2026, 3, 4, 12, 0, tzinfo=HCM)


@pytest.fixture
def order(draft, issue):
    with time_machine.travel(ISSUED_AT, tick=False):
        order = issue(draft(deadline_hours=24))
    mail.outbox.clear()
    return order


def escalate(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.order_escalate_next()


def test_nothing_escalates_before_the_deadline(order, django_capture_on_commit_callbacks):
    assert (
        escalate(
            ISSUED_AT + dt.timedelta(hours=23, minutes=59), django_capture_on_commit_callbacks
        )
        is None
    )
    assert mail.outbox == []


def test_an_overdue_order_goes_to_the_supervisor_once(
    order, personas, django_capture_on_commit_callbacks
):
    late = ISSUED_AT + dt.timedelta(hours=24, minutes=1)
    assert escalate(late, django_capture_on_commit_callbacks) == order
    assert escalate(late + dt.timedelta(hours=5), django_capture_on_commit_callbacks) is None
    order.refresh_from_db()
    assert order.escalated_at == late
    assert order.events.filter(kind="escalated").count() == 1
    assert [m.to for m in mail.outbox] == [[personas["province_coordinator"].email]]
    message = mail.outbox[0]
    assert order.reference in message.subject
    assert "hostvn.vn" not in message.body  # no target, no content
    assert f"/takedown/orders/{order.pk}/" in message.body
    event = AuditEvent.objects.get(action="takedown.order_escalate")
    assert event.detail == {"to_user_ids": [personas["province_coordinator"].pk]}


def test_an_acknowledged_order_still_escalates_when_late(
    order, contact, django_capture_on_commit_callbacks
):
    services.provider_acknowledge(order, actor=contact)
    assert escalate(ISSUED_AT + dt.timedelta(days=2), django_capture_on_commit_callbacks) == order


@pytest.mark.parametrize("answer", ["done", "refuse"])
def test_an_answered_order_does_not_escalate(
    order, contact, answer, django_capture_on_commit_callbacks
):
    if answer == "done":
        services.provider_done(order, actor=contact)
    else:
        services.provider_refuse(order, actor=contact, reason="Không.")
    assert escalate(ISSUED_AT + dt.timedelta(days=2), django_capture_on_commit_callbacks) is None


def test_a_draft_never_escalates(draft, django_capture_on_commit_callbacks):
    draft()
    assert escalate(ISSUED_AT + dt.timedelta(days=30), django_capture_on_commit_callbacks) is None


def test_without_a_supervisor_the_other_approvers_are_told(
    order, officer, officer2, orgs, django_capture_on_commit_callbacks
):
    officer.supervisor = None
    officer.save(update_fields=["supervisor"])
    make_user("ict3", Role.ICT_OFFICER, orgs.ict, email="")  # no address: skipped
    make_user("ict4", Role.ICT_OFFICER, orgs.ict, email="ict4@x.vn", is_active=False)
    make_user("edu", Role.EDUCATION_OFFICER, orgs.ict, email="edu@x.vn")  # no approval
    assert (
        escalate(ISSUED_AT + dt.timedelta(days=1, minutes=1), django_capture_on_commit_callbacks)
        == order
    )
    assert [m.to for m in mail.outbox] == [[officer2.email]]


def test_with_nobody_to_tell_it_still_escalates_once(
    order, officer, officer2, django_capture_on_commit_callbacks
):
    officer.supervisor = None
    officer.save(update_fields=["supervisor"])
    officer2.email = ""
    officer2.save(update_fields=["email"])
    assert escalate(ISSUED_AT + dt.timedelta(days=2), django_capture_on_commit_callbacks) == order
    assert mail.outbox == []
    order.refresh_from_db()
    assert order.escalated_at is not None


def test_the_most_overdue_goes_first(draft, issue, django_capture_on_commit_callbacks):
    with time_machine.travel(ISSUED_AT, tick=False):
        later = issue(draft(deadline_hours=48))
        sooner = issue(draft(deadline_hours=2))
    at = ISSUED_AT + dt.timedelta(days=3)
    assert escalate(at, django_capture_on_commit_callbacks) == sooner
    assert escalate(at, django_capture_on_commit_callbacks) == later
    assert escalate(at, django_capture_on_commit_callbacks) is None


def test_the_worker_runs_the_escalation(order, django_capture_on_commit_callbacks):
    with time_machine.travel(ISSUED_AT + dt.timedelta(days=2), tick=False):
        assert dict(worker.JOBS)["order-escalation"]() is True
        assert dict(worker.JOBS)["order-escalation"]() is False
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert order.escalated_at is not None
