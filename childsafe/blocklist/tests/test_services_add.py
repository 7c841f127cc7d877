"""entry_add and entries_add_bulk: entries added by hand, and every refusal."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.models import AuthorityEntry, ZoneChange
from childsafe.blocklist.services import BlocklistError, BulkEntryError
from childsafe.blocklist.tests.conftest import in_days
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains, zone_serial

pytestmark = pytest.mark.django_db


def item(value: str, **fields):
    values = {"value": value, "reason": "csam", "note": "", "review_on": in_days(30)}
    values.update(fields)
    return values


# --- entry_add ------------------------------------------------------------------------


def test_it_adds_a_domain_and_its_zone_step(add, officer):
    entry = add("*.Bad.Example.", note="Decision 12/QĐ")
    assert (entry.kind, entry.value, entry.host) == ("domain", "bad.example", "bad.example")
    assert (entry.source, entry.added_by, entry.note) == ("manual", officer, "Decision 12/QĐ")
    assert entry.is_active()
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}
    change = ZoneChange.objects.get(serial=zone_serial(AUTHORITY_ZONE))
    assert (change.added, change.removed) == (["bad.example"], [])


def test_it_stores_an_internationalised_name_in_punycode(add):
    entry = add("Ví-Dụ.vn")
    assert entry.value == entry.host == "xn--v-d-rma6749a.vn"
    assert zone_domains(AUTHORITY_ZONE) == {"xn--v-d-rma6749a.vn"}


def test_it_adds_a_url_which_stays_out_of_the_zone(add):
    serial = zone_serial(AUTHORITY_ZONE)
    entry = add("https://www.Bad.example/p/1?utm_source=x&id=2")
    assert (entry.kind, entry.value, entry.host) == (
        "url",
        "https://bad.example/p/1?id=2",
        "bad.example",
    )
    assert zone_domains(AUTHORITY_ZONE) == frozenset()
    assert zone_serial(AUTHORITY_ZONE) == serial


def test_a_text_with_a_slash_is_a_url(add):
    assert add("bad.example/page").kind == "url"


def test_it_audits_without_the_value_or_the_note(add, officer):
    entry = add("bad.example", note="Secret note", reason="scam")
    event = AuditEvent.objects.get(action="blocklist.entry_add")
    assert (event.actor, event.object_id) == (officer, str(entry.pk))
    assert event.detail["kind"] == "domain" and event.detail["reason"] == "scam"
    assert "bad.example" not in str(event.detail) and "Secret" not in str(event.detail)


def test_a_subdomain_of_a_blocked_domain_may_be_added_too(add):
    add("bad.example")
    add("sub.bad.example")
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example", "sub.bad.example"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1.2.3.4", "ip"),
        ("2001:db8::1", "not-a-name"),
        ("[2001:db8::1]", "not-a-name"),
        ("http://1.2.3.4/x", "ip"),
        ("http://[2001:db8::1]/x", "ip"),
        ("*.com.vn", "public-suffix"),
        ("*.vn", "public-suffix"),
        ("com.vn", "public-suffix"),
        ("vn", "public-suffix"),
        ("http://com.vn/x", "public-suffix"),
        ("bad..example", "invalid"),
        ("bad.example..", "invalid"),
        ("bad example.com", "not-a-name"),
        ("ftp://bad.example/x", "not-a-url"),
        ("http://bad example/x", "not-a-url"),
        ("a.*.example", "wildcard"),
        ("-bad.example", "invalid"),
    ],
)
def test_bad_targets_are_refused_with_a_message_and_logged(add, value, code, caplog):
    caplog.set_level(logging.INFO, logger="childsafe.blocklist.services")
    with pytest.raises(BlocklistError) as refused:
        add(value)
    assert (refused.value.code, refused.value.field) == (code, "value")
    assert refused.value.message
    assert AuthorityEntry.objects.count() == 0
    assert f"entry refused ({code})" in caplog.text
    if value.strip():
        assert value not in caplog.text  # values never reach the log


def test_a_duplicate_active_value_is_refused(add):
    first = add("bad.example")
    with pytest.raises(BlocklistError) as refused:
        add("BAD.example.")
    assert refused.value.code == "duplicate"
    assert str(first.pk) in refused.value.message
    assert AuthorityEntry.objects.count() == 1


def test_a_duplicate_url_is_refused_in_its_normal_form(add):
    add("https://bad.example/a?utm_source=x")
    with pytest.raises(BlocklistError, match="entry"):
        add("https://www.bad.example/a")


def test_a_lifted_value_may_be_added_again(add, officer):
    first = add("bad.example")
    services.entry_lift(first, actor=officer, decision="Court ruling 3")
    second = add("bad.example")
    assert second.pk != first.pk and second.is_active()


def test_a_manual_entry_needs_a_review_date_in_the_future(add):
    for review_on, message in [(None, "needs a review date"), (in_days(0), "in the future")]:
        with pytest.raises(BlocklistError, match=message) as refused:
            add("bad.example", review_on=review_on)
        assert refused.value.field == "review_on"


def test_the_expiry_must_be_in_the_future(add):
    with pytest.raises(BlocklistError) as refused:
        add("bad.example", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert refused.value.field == "expires_at"


def test_a_naive_expiry_is_read_as_vietnam_time(add):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        entry = add("bad.example", expires_at=dt.datetime(2026, 3, 2, 9, 0))
    assert entry.expires_at == dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def test_the_reason_must_be_a_category(add):
    with pytest.raises(BlocklistError) as refused:
        add("bad.example", reason="spam")
    assert refused.value.field == "reason"


def test_a_long_note_is_refused(add):
    with pytest.raises(BlocklistError) as refused:
        add("bad.example", note="x" * 301)
    assert refused.value.field == "note"


# --- entries_add_bulk -----------------------------------------------------------------


def test_a_batch_is_added_with_one_zone_step_and_one_audit_event(officer):
    serial = zone_serial(AUTHORITY_ZONE)
    entries = services.entries_add_bulk(
        actor=officer,
        items=[item("a.example"), item("b.example", reason="scam"), item("https://c.example/x")],
    )
    assert [e.value for e in entries] == ["a.example", "b.example", "https://c.example/x"]
    assert all(e.pk for e in entries)
    assert zone_serial(AUTHORITY_ZONE) == serial + 1
    assert ZoneChange.objects.get(serial=serial + 1).added == ["a.example", "b.example"]
    event = AuditEvent.objects.get(action="blocklist.entries_add")
    assert event.detail["count"] == 3
    assert event.detail["entry_ids"] == [e.pk for e in entries]
    assert event.detail["reasons"] == {"csam": 2, "scam": 1}


def test_a_batch_with_bad_items_saves_nothing_and_names_each_problem(add, officer, caplog):
    caplog.set_level(logging.INFO, logger="childsafe.blocklist.services")
    existing = add("old.example")
    serial = zone_serial(AUTHORITY_ZONE)
    with pytest.raises(BulkEntryError) as refused:
        services.entries_add_bulk(
            actor=officer,
            items=[
                item("good.example"),
                item("*.com.vn"),
                item("good.example"),
                item("old.example"),
                item("http://10.0.0.1/x"),
                item("fine.example", review_on=None),
            ],
        )
    errors = refused.value.errors
    assert [(i, field) for i, field, _m in errors] == [
        (1, "value"),
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "review_on"),
    ]
    assert str(existing.pk) in errors[2][2]
    assert "0" in errors[1][2]  # the same value is item 0
    assert AuthorityEntry.objects.count() == 1
    assert zone_serial(AUTHORITY_ZONE) == serial
    assert "batch of 6 refused, 5 problem(s)" in caplog.text
    assert "com.vn" not in caplog.text


def test_an_empty_or_oversized_batch_is_refused(officer):
    with pytest.raises(BlocklistError, match="at least one"):
        services.entries_add_bulk(actor=officer, items=[])
    with pytest.raises(BlocklistError, match="at most"):
        services.entries_add_bulk(
            actor=officer, items=[item("a.example")] * (services.MAX_BULK_ENTRIES + 1)
        )


def test_a_thousand_names_take_no_query_per_name(officer, django_assert_max_num_queries):
    items = [item(f"n{i}.example") for i in range(1000)]
    # The checks take one query per 500 hosts; SQLite inserts 50 rows per statement.
    with django_assert_max_num_queries(60):
        entries = services.entries_add_bulk(actor=officer, items=items)
    assert len(entries) == 1000
    assert len(zone_domains(AUTHORITY_ZONE)) == 1000


def _statements(officer, values: list[str]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        services.entries_add_bulk(actor=officer, items=[item(v) for v in values])
    return [q["sql"] for q in queries.captured_queries]


def test_a_batch_takes_as_many_statements_whatever_its_size(officer):
    _statements(officer, ["first.example"])  # makes the zone and the audit chain's head
    small = _statements(officer, [f"s{i}.example" for i in range(3)])
    large = _statements(officer, [f"l{i}.example" for i in range(40)])
    assert len(large) == len(small)


def test_the_zone_step_does_not_read_back_the_entries_just_written(officer):
    statements = _statements(officer, ["a.example", "b.example", "https://c.example/x"])
    inserted = next(
        i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "blocklist_authority')
    )
    assert not [sql for sql in statements[inserted:] if 'FROM "blocklist_authorityentry"' in sql]
    assert ZoneChange.objects.get(serial=zone_serial(AUTHORITY_ZONE)).added == [
        "a.example",
        "b.example",
    ]
