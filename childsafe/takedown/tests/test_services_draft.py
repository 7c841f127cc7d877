"""Drafting an order: targets, the provider found from them, the deadline, references."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import ClockRule
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import FunctionAssignment
from childsafe.takedown import services
from childsafe.takedown.models import OrderEvent, OrderStatus, OrderTarget, TakedownOrder

HCM = dt.timezone(dt.timedelta(hours=7))


def test_it_drafts_an_order_to_the_provider_of_the_targets(draft, officer, orgs):
    order = draft(targets=["https://HostVN.vn/bad/page?utm_source=x", "http://cdn.hostvn.vn/a"])
    assert order.status == OrderStatus.DRAFT
    assert order.provider == orgs.provider
    assert order.issuer == orgs.ict
    assert order.created_by == officer
    assert order.deadline_hours == 24
    assert [t.value for t in order.targets.all()] == [
        "https://hostvn.vn/bad/page",
        "http://cdn.hostvn.vn/a",
    ]
    assert [t.host for t in order.targets.all()] == ["hostvn.vn", "cdn.hostvn.vn"]
    assert list(order.events.values_list("kind", flat=True)) == ["drafted"]


def test_the_audit_event_names_no_target(draft):
    draft(targets=["https://hostvn.vn/nguyen-van-a"])
    event = AuditEvent.objects.get(action="takedown.order_draft")
    assert "nguyen" not in str(event.detail)
    assert event.detail["targets"] == 1


@time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=HCM), tick=False)
def test_references_carry_the_year_and_the_id(draft):
    order = draft()
    assert order.reference == f"LG-2026-{order.pk:06d}"


def test_a_blocking_order_takes_domains_in_punycode(draft):
    order = draft(action="block", targets=["*.Ví-Dụ.hostvn.vn", "hostvn.vn/page"])
    assert [(t.kind, t.value) for t in order.targets.all()] == [
        ("domain", "xn--v-d-rma6749a.hostvn.vn"),
        ("url", "http://hostvn.vn/page"),
    ]


def test_an_internationalised_url_is_stored_in_punycode(draft):
    order = draft(targets=["https://ví-dụ.hostvn.vn/trang"])
    assert order.targets.get().value == "https://xn--v-d-rma6749a.hostvn.vn/trang"


@pytest.mark.parametrize(
    ("targets", "action", "words"),
    [
        (["not a url or domain"], "block", "cannot be blocked"),
        (["http://14.160.1.1/page"], "remove", "IP address"),
        (["http://[2001:db9::1]/page"], "remove", "IP address"),
        (["14.160.1.1"], "block", "an IP address is not a domain name"),
        (["*.com.vn"], "block", "public suffix"),
        (["*.vn"], "block", "public suffix"),
        (["com.vn"], "block", "public suffix"),
        (["bad.*.hostvn.vn"], "block", "wildcard"),
        (["hostvn.vn"], "remove", "not a web address"),
        (["ftp://hostvn.vn/file"], "remove", "not a valid web address"),
        ([], "remove", "at least one target"),
        (["  ", ""], "remove", "at least one target"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_saved(draft, targets, action, words):
    with pytest.raises(services.OrderError, match=words) as exc:
        draft(targets=targets, action=action)
    assert exc.value.field == "targets"
    assert exc.value.http_status == 400
    assert not TakedownOrder.objects.exists()
    assert not OrderTarget.objects.exists()


def test_duplicates_are_refused_naming_them(draft):
    with pytest.raises(services.OrderError) as exc:
        draft(
            targets=[
                "https://hostvn.vn/a",
                "HTTPS://www.hostvn.vn/a?fbclid=1",
                "https://hostvn.vn/b",
            ]
        )
    assert "https://hostvn.vn/a" in exc.value.message
    assert "/b" not in exc.value.message
    assert not TakedownOrder.objects.exists()


def test_a_wildcard_and_its_bare_domain_are_duplicates(draft):
    with pytest.raises(services.OrderError, match="hostvn.vn"):
        draft(action="block", targets=["*.hostvn.vn", "hostvn.vn"])


def test_too_many_targets_are_refused(draft):
    targets = [f"https://hostvn.vn/{n}" for n in range(services.MAX_TARGETS + 1)]
    with pytest.raises(services.OrderError, match="at most"):
        draft(targets=targets)


def test_a_refusal_is_logged_without_the_target(draft, caplog):
    caplog.set_level("INFO", logger="childsafe.takedown.services")
    with pytest.raises(services.OrderError):
        draft(action="block", targets=["*.com.vn"])
    assert "target-invalid" in caplog.text
    assert "com.vn" not in caplog.text


def test_targets_of_two_providers_are_refused(draft, other_provider):
    with pytest.raises(services.OrderError, match="different providers") as exc:
        draft(targets=["https://hostvn.vn/a", "https://socialnet.com/b"])
    assert "Viettel" in exc.value.message


def test_a_host_nobody_answers_for_needs_the_provider_chosen(draft, orgs):
    with pytest.raises(services.OrderError, match="unknown.example") as exc:
        draft(targets=["https://unknown.example/a"])
    assert exc.value.field == "provider"
    order = draft(targets=["https://unknown.example/a"], provider=orgs.provider)
    assert order.provider == orgs.provider


def test_a_chosen_provider_wins_over_the_register(draft, other_provider):
    """An ISP is asked to block a site it does not host."""
    order = draft(action="block", targets=["hostvn.vn"], provider=other_provider)
    assert order.provider == other_provider


def test_only_a_service_provider_can_receive_an_order(draft, orgs):
    with pytest.raises(services.OrderError) as exc:
        draft(provider=orgs.police)
    assert exc.value.field == "provider"


def test_a_blocking_rule_in_force_gives_its_own_deadline(draft):
    ClockRule.objects.create(
        code="takedown-block",
        name="Block",
        legal_basis="test",
        period_value=2,
        period_unit="days",
        effective_from=dt.date(2020, 1, 1),
    )
    assert draft(action="block", targets=["hostvn.vn"]).deadline_hours == 48
    assert draft(action="remove").deadline_hours == 24


def test_an_ended_rule_gives_no_deadline(draft):
    ClockRule.objects.create(
        code="takedown-remove",
        name="Remove",
        legal_basis="test",
        period_value=2,
        period_unit="hours",
        effective_from=dt.date(2020, 1, 1),
        effective_to=dt.date(2021, 1, 1),
    )
    assert draft().deadline_hours == 24


def test_the_officer_may_give_another_deadline(draft):
    assert draft(deadline_hours=6).deadline_hours == 6


@pytest.mark.parametrize("hours", [0, -1, 721])
def test_deadlines_out_of_range_are_refused(draft, hours):
    with pytest.raises(services.OrderError) as exc:
        draft(deadline_hours=hours)
    assert exc.value.field == "deadline_hours"


@pytest.mark.parametrize(
    ("field", "value"),
    [("legal_basis", "  "), ("legal_basis", "x" * 301), ("action", "delete"), ("reason", "x")],
)
def test_other_bad_input_is_refused(draft, field, value):
    with pytest.raises(services.OrderError) as exc:
        draft(**{field: value})
    assert exc.value.field == field


def test_roles_that_may_not_draft_are_refused(draft, personas):
    with pytest.raises(services.OrderError) as exc:
        draft(actor=personas["police_investigator"])
    assert exc.value.http_status == 403


def test_an_organisation_without_the_takedown_function_cannot_order(draft, orgs):
    FunctionAssignment.objects.filter(organisation=orgs.ict).update(
        effective_to=dt.date(2023, 1, 1)
    )
    with pytest.raises(services.OrderError, match="takedown function"):
        draft()


def test_an_order_may_name_its_case(draft, orgs):
    case = make_case(owner=orgs.dolisa)
    order = draft(case=case)
    assert order.case == case
    assert OrderEvent.objects.filter(order=order).count() == 1
