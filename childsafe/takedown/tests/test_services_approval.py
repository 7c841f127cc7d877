"""Four eyes: approving, declining and withdrawing an order, the e-mail to the provider,
and the authority list a blocking order feeds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import AuthorityEntry
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import FunctionAssignment
from childsafe.orgs.roles import Role
from childsafe.takedown import services
from childsafe.takedown.models import OrderStatus, TakedownOrder
from childsafe.testing import make_user

HCM = dt.timezone(dt.timedelta(hours=7))
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=HCM)


@time_machine.travel(NOON, tick=False)
def test_a_second_officer_issues_the_order(draft, issue, officer, officer2):
    order = issue(draft(deadline_hours=24))
    assert order.status == OrderStatus.ISSUED
    assert order.approved_by == officer2
    assert order.issued_at == NOON
    assert order.due_at == NOON + dt.timedelta(hours=24)
    assert all(t.next_check_at == NOON for t in order.targets.all())
    assert list(order.events.values_list("kind", "actor")) == [
        ("drafted", officer.pk),
        ("approved", officer2.pk),
        ("sent", None),
    ]
    assert order.sent_at == NOON
    actions = (
        AuditEvent.objects.filter(object_type="takedown.takedownorder", object_id=str(order.pk))
        .order_by("seq")
        .values_list("action", "actor_id")
    )
    assert list(actions) == [
        ("takedown.order_draft", officer.pk),
        ("takedown.order_approve", officer2.pk),
        ("takedown.order_send", None),
    ]


def test_the_author_cannot_approve_their_own_order(draft, officer):
    order = draft()
    with pytest.raises(services.OrderError, match="four eyes") as exc:
        services.order_approve(order, actor=officer)
    assert exc.value.http_status == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert order.approved_by is None


def test_the_database_refuses_an_author_approving_too(draft, officer):
    order = draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        TakedownOrder.objects.filter(pk=order.pk).update(approved_by=officer)


def test_an_officer_of_another_organisation_cannot_approve(draft, orgs):
    stranger = make_user("ict-other", Role.ICT_OFFICER, orgs.education)
    order = draft()
    with pytest.raises(services.OrderError) as exc:
        services.order_approve(order, actor=stranger)
    assert exc.value.http_status == 403


def test_a_role_without_approval_cannot_approve(draft, personas):
    with pytest.raises(services.OrderError):
        services.order_approve(draft(), actor=personas["province_coordinator"])


def test_approving_twice_is_a_conflict(issued, officer2):
    with pytest.raises(services.OrderError, match="no longer awaiting") as exc:
        services.order_approve(issued, actor=officer2)
    assert exc.value.http_status == 409
    assert issued.events.filter(kind="approved").count() == 1


def test_an_issuer_that_lost_the_takedown_function_cannot_issue(draft, officer2, orgs):
    order = draft()
    FunctionAssignment.objects.filter(organisation=orgs.ict).update(
        effective_to=dt.date(2023, 1, 1)
    )
    with pytest.raises(services.OrderError, match="takedown function"):
        services.order_approve(order, actor=officer2)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


@time_machine.travel(NOON, tick=False)
def test_the_provider_is_emailed_what_to_do_and_nothing_of_the_case(draft, issue, orgs):
    case = make_case(owner=orgs.dolisa, child_name="Lê Thị Bé")
    order = issue(
        draft(
            case=case,
            targets=["https://hostvn.vn/bad/page", "https://hostvn.vn/other"],
            instructions="Gỡ cả hai bài viết.",
        )
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "abuse@vnpt.example.vn",
        "contact@vnpt.example.vn",
    ]
    message = mail.outbox[0]
    assert order.reference in message.subject
    assert "04/03/2026 12:00" not in message.subject  # the deadline: 24 hours later
    assert "05/03/2026 12:00" in message.subject
    for text in ("https://hostvn.vn/bad/page", "https://hostvn.vn/other", "147/2024"):
        assert text in message.body
    assert f"/provider/orders/{order.pk}/" in message.body
    assert "Gỡ cả hai bài viết." in message.body
    assert case.reference not in message.body
    assert "Lê Thị Bé" not in message.body


def test_inactive_contacts_and_other_providers_get_no_email(draft, issue, contact, other_contact):
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    issue(draft())
    assert [m.to for m in mail.outbox] == [["abuse@vnpt.example.vn"]]


def test_without_any_address_the_order_is_not_marked_sent(draft, issue, orgs, contact):
    orgs.provider.email = ""
    orgs.provider.save(update_fields=["email"])
    contact.email = ""
    contact.save(update_fields=["email"])
    order = issue(draft())
    assert order.status == OrderStatus.ISSUED
    assert order.sent_at is None
    assert mail.outbox == []


def test_a_mail_server_failure_does_not_undo_the_approval(draft, issue, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(services.mail, "send_mail", broken)
    order = issue(draft())
    assert order.status == OrderStatus.ISSUED
    assert order.sent_at is None


def test_a_draft_can_be_declined_with_a_reason(draft, officer2):
    order = services.order_reject(draft(), actor=officer2, reason="Thiếu căn cứ.")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    assert order.closed_at is not None
    assert order.events.get(kind="rejected").text == "Thiếu căn cứ."
    assert mail.outbox == []


def test_declining_needs_a_reason(draft, officer2):
    with pytest.raises(services.OrderError) as exc:
        services.order_reject(draft(), actor=officer2, reason="  ")
    assert exc.value.field == "reason"


def test_a_too_long_reason_is_refused_not_cut_short(draft, officer2):
    order = draft()
    with pytest.raises(services.OrderError) as exc:
        services.order_reject(order, actor=officer2, reason="x" * (services.MAX_TEXT_CHARS + 1))
    assert exc.value.field == "reason"
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_an_issued_order_cannot_be_declined(issued, officer2):
    with pytest.raises(services.OrderError) as exc:
        services.order_reject(issued, actor=officer2, reason="late")
    assert exc.value.http_status == 409


def test_an_issued_order_can_be_withdrawn(issued, officer, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_withdraw(issued, actor=officer, decision="Tòa án hủy quyết định.")
    issued.refresh_from_db()
    assert issued.status == OrderStatus.WITHDRAWN
    assert issued.events.get(kind="withdrawn").text == "Tòa án hủy quyết định."
    assert all(t.next_check_at is None for t in issued.targets.all())
    assert "withdrawn" in mail.outbox[0].subject or issued.reference in mail.outbox[0].subject


def test_a_draft_cannot_be_withdrawn(draft, officer2):
    with pytest.raises(services.OrderError, match="issued"):
        services.order_withdraw(draft(), actor=officer2, decision="x")


@pytest.mark.parametrize("decision", ["", "x" * 301])
def test_withdrawing_needs_a_short_decision(issued, officer2, decision):
    with pytest.raises(services.OrderError) as exc:
        services.order_withdraw(issued, actor=officer2, decision=decision)
    assert exc.value.field == "decision"
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


# --- The authority list ----------------------------------------------------------------


def test_an_issued_blocking_order_puts_its_targets_on_the_authority_list(draft, issue):
    order = issue(draft(action="block", targets=["*.hostvn.vn", "https://hostvn.vn/x"]))
    entries = AuthorityEntry.objects.active().filter(source="order")
    assert sorted(entries.values_list("kind", "value")) == [
        ("domain", "hostvn.vn"),
        ("url", "https://hostvn.vn/x"),
    ]
    assert all(e.source_ref.startswith(order.reference) for e in entries)


def test_a_removal_order_puts_nothing_on_the_authority_list(issued):
    assert not AuthorityEntry.objects.exists()


def test_a_draft_puts_nothing_on_the_authority_list(draft):
    draft(action="block", targets=["hostvn.vn"])
    assert not AuthorityEntry.objects.exists()


def test_withdrawing_a_blocking_order_lifts_its_entries(draft, issue, officer):
    order = issue(draft(action="block", targets=["hostvn.vn"]))
    assert AuthorityEntry.objects.active().count() == 1
    services.order_withdraw(order, actor=officer, decision="Quyết định 12/QĐ hủy bỏ.")
    assert AuthorityEntry.objects.active().count() == 0
    assert AuthorityEntry.objects.get().lifted_at is not None
