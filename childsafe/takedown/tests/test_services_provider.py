"""The provider's answers: acknowledge, done, refuse; repeats change nothing, the wrong
state is a conflict, another provider is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from childsafe.takedown import services
from childsafe.takedown.models import OrderStatus

HCM = dt.timezone(dt.timedelta(hours=7))
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=HCM)


def test_the_provider_acknowledges_once(issued, contact):
    services.provider_acknowledge(issued, actor=contact)
    first = issued.acknowledged_at
    services.provider_acknowledge(issued, actor=contact)
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ACKNOWLEDGED
    assert issued.acknowledged_at == first
    assert issued.events.filter(kind="acknowledged").count() == 1


def test_the_provider_reports_done_once(issued, contact):
    with time_machine.travel(NOON, tick=False):
        services.provider_done(issued, actor=contact, note="Đã gỡ.")
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        services.provider_done(issued, actor=contact, note="Đã gỡ.")
    issued.refresh_from_db()
    assert issued.status == OrderStatus.DONE
    assert issued.done_at == NOON
    # Done without acknowledging first counts as acknowledged then.
    assert issued.acknowledged_at == NOON
    assert issued.events.get(kind="done").text == "Đã gỡ."
    assert all(t.next_check_at == NOON for t in issued.targets.all())


def test_acknowledging_after_done_changes_nothing(issued, contact):
    services.provider_done(issued, actor=contact)
    services.provider_acknowledge(issued, actor=contact)
    issued.refresh_from_db()
    assert issued.status == OrderStatus.DONE
    assert issued.events.filter(kind="acknowledged").count() == 0


def test_the_provider_refuses_with_a_reason(
    issued, contact, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_refuse(
            issued, actor=contact, reason="Nội dung không do chúng tôi lưu trữ."
        )
        services.provider_refuse(
            issued, actor=contact, reason="Nội dung không do chúng tôi lưu trữ."
        )
    issued.refresh_from_db()
    assert issued.status == OrderStatus.REFUSED
    assert issued.refusal_reason == "Nội dung không do chúng tôi lưu trữ."
    assert issued.events.filter(kind="refused").count() == 1
    # The drafting officer is told, with a link and not the reason.
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert f"/takedown/orders/{issued.pk}/" in mail.outbox[0].body


def test_refusing_needs_a_reason(issued, contact):
    with pytest.raises(services.OrderError) as exc:
        services.provider_refuse(issued, actor=contact, reason=" ")
    assert exc.value.field == "reason"
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_refusing_again_with_another_reason_is_a_conflict(issued, contact):
    services.provider_refuse(issued, actor=contact, reason="first")
    with pytest.raises(services.OrderError) as exc:
        services.provider_refuse(issued, actor=contact, reason="second")
    assert exc.value.http_status == 409


def test_a_refused_order_can_be_neither_acknowledged_nor_done(issued, contact):
    services.provider_refuse(issued, actor=contact, reason="Không.")
    for call in (services.provider_acknowledge, services.provider_done):
        with pytest.raises(services.OrderError) as exc:
            call(issued, actor=contact)
        assert exc.value.http_status == 409
    issued.refresh_from_db()
    assert issued.status == OrderStatus.REFUSED


def test_refusing_after_done_is_a_conflict(issued, contact):
    services.provider_done(issued, actor=contact)
    with pytest.raises(services.OrderError, match="cannot be refused") as exc:
        services.provider_refuse(issued, actor=contact, reason="changed our mind")
    assert exc.value.http_status == 409


def test_a_withdrawn_order_takes_no_answer(issued, contact, officer):
    services.order_withdraw(issued, actor=officer, decision="Lifted.")
    with pytest.raises(services.OrderError) as exc:
        services.provider_acknowledge(issued, actor=contact)
    assert exc.value.http_status == 409


def test_a_reopened_order_can_be_reported_done_again(issued, contact):
    services.provider_done(issued, actor=contact)
    issued.status = OrderStatus.REOPENED  # what the checker does when content comes back
    issued.save(update_fields=["status"])
    services.provider_done(issued, actor=contact)
    issued.refresh_from_db()
    assert issued.status == OrderStatus.DONE
    assert issued.events.filter(kind="done").count() == 2


def test_another_provider_cannot_answer(issued, other_contact):
    for call in (
        lambda: services.provider_acknowledge(issued, actor=other_contact),
        lambda: services.provider_done(issued, actor=other_contact),
        lambda: services.provider_refuse(issued, actor=other_contact, reason="x"),
    ):
        with pytest.raises(services.OrderError) as exc:
            call()
        assert exc.value.http_status == 403
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_an_officer_cannot_answer_for_the_provider(issued, officer):
    with pytest.raises(services.OrderError):
        services.provider_acknowledge(issued, actor=officer)
