"""entries_publish_for_order and entries_lift_for_order, as the takedown app calls them."""

from __future__ import annotations

import pytest
from django.db import transaction

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.models import AuthorityEntry
from childsafe.blocklist.services import BlocklistError
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains, zone_serial
from childsafe.takedown.models import OrderStatus, TakedownOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(orgs, officer):
    order = TakedownOrder.objects.create(
        reference="LG-2026-000012",
        issuer=orgs.ict,
        provider=orgs.provider,
        action="block",
        reason="grooming",
        legal_basis="Decree 147/2024",
        deadline_hours=24,
        status=OrderStatus.ISSUED,
        created_by=officer,
    )
    order.targets.create(kind="domain", value="bad.example", host="bad.example")
    order.targets.create(kind="url", value="https://social.example/u/123", host="social.example")
    return order


def test_it_publishes_each_target_as_an_entry(order, officer):
    with transaction.atomic():
        entries = services.entries_publish_for_order(order, actor=officer)
    targets = list(order.targets.all())
    assert [(e.kind, e.value, e.host) for e in entries] == [
        ("domain", "bad.example", "bad.example"),
        ("url", "https://social.example/u/123", "social.example"),
    ]
    assert [e.source_ref for e in entries] == [f"LG-2026-000012/{t.pk}" for t in targets]
    assert all(e.source == "order" and e.reason == "grooming" for e in entries)
    assert all(e.added_by == officer and e.review_on is None for e in entries)
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}
    event = AuditEvent.objects.get(action="blocklist.entries_publish")
    assert event.object_id == str(order.pk)
    assert event.detail == {"count": 2, "entry_ids": [e.pk for e in entries]}


def test_publishing_twice_makes_nothing_new(order, officer):
    services.entries_publish_for_order(order, actor=officer)
    serial = zone_serial(AUTHORITY_ZONE)
    assert services.entries_publish_for_order(order, actor=officer) == []
    assert AuthorityEntry.objects.count() == 2
    assert zone_serial(AUTHORITY_ZONE) == serial


def test_a_new_target_is_published_alone(order, officer):
    services.entries_publish_for_order(order, actor=officer)
    order.targets.create(kind="domain", value="worse.example", host="worse.example")
    entries = services.entries_publish_for_order(order, actor=officer)
    assert [e.value for e in entries] == ["worse.example"]


def test_it_lifts_the_order_entries_and_leaves_others(order, officer, add):
    manual = add("bad.example")  # the same domain by hand: an order still gets its entry
    services.entries_publish_for_order(order, actor=officer)
    other = TakedownOrder.objects.create(
        reference="LG-2026-0000120",  # shares a prefix with the first order's reference
        issuer=order.issuer,
        provider=order.provider,
        action="block",
        reason="csam",
        legal_basis="x",
        deadline_hours=24,
        created_by=officer,
    )
    other.targets.create(kind="domain", value="other.example", host="other.example")
    services.entries_publish_for_order(other, actor=officer)
    serial = zone_serial(AUTHORITY_ZONE)

    with transaction.atomic():
        lifted = services.entries_lift_for_order(order, decision="Order withdrawn", actor=officer)

    assert lifted == 2
    order_entries = AuthorityEntry.objects.filter(source_ref__startswith="LG-2026-000012/")
    assert all(e.lift_decision == "Order withdrawn" for e in order_entries)
    manual.refresh_from_db()
    assert manual.is_active()
    # bad.example is still held by the manual entry: the zone did not change.
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example", "other.example"}
    assert zone_serial(AUTHORITY_ZONE) == serial
    assert AuditEvent.objects.filter(action="blocklist.entries_lift_for_order").count() == 1
    assert services.entries_lift_for_order(order, decision="again", actor=officer) == 0


def test_a_lifted_order_can_be_published_again(order, officer):
    services.entries_publish_for_order(order, actor=officer)
    services.entries_lift_for_order(order, decision="withdrawn", actor=officer)
    entries = services.entries_publish_for_order(order, actor=officer)
    assert len(entries) == 2
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}


def test_a_public_suffix_target_rolls_the_caller_back(order, officer):
    order.targets.create(kind="domain", value="com.vn", host="com.vn")
    with pytest.raises(BlocklistError) as refused, transaction.atomic():
        services.entries_publish_for_order(order, actor=officer)
    assert refused.value.code == "public-suffix"
    assert AuthorityEntry.objects.count() == 0
    assert zone_domains(AUTHORITY_ZONE) == frozenset()


def test_lifting_needs_a_decision(order, officer):
    services.entries_publish_for_order(order, actor=officer)
    with pytest.raises(BlocklistError):
        services.entries_lift_for_order(order, decision=" ", actor=officer)
    assert AuthorityEntry.objects.active().count() == 2
