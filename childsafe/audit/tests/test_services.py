from __future__ import annotations

import pytest
from django.db import connection

from childsafe.audit.models import AuditChainHead, AuditEvent
from childsafe.audit.services import (
    GENESIS,
    audit_link_pending,
    audit_record,
    audit_unlinked_count,
    audit_verify,
    compute_hash,
)

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


@pytest.fixture
def chain(db):
    """Five events, written as the application writes them."""
    return [audit_record("test.event", actor="unit test", detail={"n": n}) for n in range(1, 6)]


def test_events_are_numbered_and_linked(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, chain[-1].hash)


def test_a_clean_chain_verifies(chain):
    assert audit_verify() == []


def test_it_verifies_in_several_batches(chain):
    assert audit_verify(batch=2) == []


@pytest.mark.django_db
def test_an_empty_trail_verifies():
    assert audit_verify() == []


def test_the_hash_covers_what_the_database_returns(db, personas):
    event = audit_record(
        "test.event",
        actor=personas["ict_officer"],
        object_type="orgs.organisation",
        object_id="7",
        detail={"name": "Sở Thông tin", "nested": {"b": [1, 2], "a": None}, "when": 1.5},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert compute_hash(stored) == stored.hash
    assert stored.actor_label == "ict"
    assert stored.actor_org_id == personas["ict_officer"].organisation_id
    assert audit_verify() == []


def test_a_changed_detail_is_named(chain):
    raw_sql("UPDATE {table} SET detail = %s WHERE seq = 3", ['{"n": 30}'])
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(3, "changed")]
    assert problems[0].message == "entry 3 was changed after it was written"


def test_a_changed_action_is_named(chain):
    raw_sql("UPDATE {table} SET action = 'test.other' WHERE seq = 2")
    assert [(p.seq, p.kind) for p in audit_verify()] == [(2, "changed")]


def test_a_rehashed_row_breaks_the_link_to_the_next(chain):
    event = AuditEvent.objects.get(seq=2)
    event.detail = {"n": 20}
    raw_sql(
        "UPDATE {table} SET detail = %s, hash = %s WHERE seq = 2",
        ['{"n": 20}', compute_hash(event)],
    )
    assert [(p.seq, p.kind) for p in audit_verify()] == [(3, "broken-link")]


def test_a_deleted_middle_row_is_reported_missing(chain):
    raw_sql("DELETE FROM {table} WHERE seq = 3")
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(3, "missing")]
    assert problems[0].message == "entries 3 are missing (deleted)"


def test_several_deleted_rows_are_reported_as_a_span(chain):
    raw_sql("DELETE FROM {table} WHERE seq IN (2, 3)")
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(2, "missing")]
    assert "2-3" in problems[0].message


def test_a_deleted_first_row_is_reported_missing(chain):
    raw_sql("DELETE FROM {table} WHERE seq = 1")
    assert [(p.seq, p.kind) for p in audit_verify()] == [(1, "missing")]


def test_a_deleted_last_row_is_caught_by_the_chain_head(chain):
    raw_sql("DELETE FROM {table} WHERE seq = 5")
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(5, "missing")]
    assert problems[0].message == "the chain should end at entry 5 but ends at entry 4"


def test_a_record_rolls_back_with_its_transaction(chain):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record("test.event", actor="unit test")
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 5
    assert audit_record("test.event", actor="unit test").seq == 6
    assert audit_verify() == []


# --- Events written unlinked (report intake) and linked afterwards ------------------------


def later(n):
    return audit_record("test.later", actor="unit test", detail={"n": n}, link_later=True)


def test_an_event_written_to_link_later_has_no_place_in_the_chain_yet(db):
    event = later(1)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (None, "", "")
    assert not AuditChainHead.objects.exists()


def test_it_takes_no_lock_on_the_chain(db):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        later(1)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]


def test_linking_numbers_pending_events_in_order_after_the_chain(chain):
    pending = [later(n) for n in range(6, 9)]
    assert audit_link_pending() == 3
    linked = [AuditEvent.objects.get(pk=e.pk) for e in pending]
    assert [e.seq for e in linked] == [6, 7, 8]
    assert linked[0].prev_hash == chain[-1].hash
    assert linked[2].prev_hash == linked[1].hash
    assert all(compute_hash(e) == e.hash for e in linked)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (8, linked[-1].hash)
    assert audit_verify() == []
    assert audit_link_pending() == 0


def test_linking_works_in_batches(db):
    for n in range(5):
        later(n)
    assert [audit_link_pending(batch=2) for _ in range(4)] == [2, 2, 1, 0]
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert audit_verify() == []


def test_a_linked_record_links_pending_events_before_its_own(db):
    first = later(1)
    own = audit_record("test.now", actor="unit test")
    assert own.seq == 2
    assert AuditEvent.objects.get(pk=first.pk).seq == 1
    assert own.prev_hash == AuditEvent.objects.get(pk=first.pk).hash
    assert audit_verify() == []


def test_an_unlinked_event_rolls_back_with_its_transaction(chain):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        later(6)
        raise RuntimeError("the report could not be stored")
    assert AuditEvent.objects.count() == 5
    assert audit_link_pending() == 0


def test_the_hash_of_a_linked_event_covers_what_was_written(db, personas):
    event = audit_record(
        "test.later",
        actor=personas["ict_officer"],
        detail={"name": "Sở Thông tin", "nested": {"b": [1, 2], "a": None}, "when": 1.5},
        link_later=True,
    )
    audit_link_pending()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.detail == {
        "name": "Sở Thông tin",
        "nested": {"b": [1, 2], "a": None},
        "when": 1.5,
    }
    assert compute_hash(stored) == stored.hash


def test_a_change_to_an_event_after_linking_is_named(chain):
    later(6)
    audit_link_pending()
    raw_sql("UPDATE {table} SET detail = %s WHERE seq = 6", ['{"n": 60}'])
    assert [(p.seq, p.kind) for p in audit_verify()] == [(6, "changed")]


def test_linking_never_rewrites_a_linked_event(chain):
    assert AuditEvent.objects.link_unlinked({chain[0].pk: (99, GENESIS, "f" * 64)}) == 0
    assert AuditEvent.objects.get(pk=chain[0].pk).seq == 1
    assert audit_verify() == []


def test_recent_unlinked_events_are_no_problem_but_old_ones_are(chain):
    import datetime as dt

    from django.utils import timezone

    event = later(6)
    assert audit_verify() == []
    assert audit_unlinked_count() == 1
    problems = audit_verify(now=timezone.now() + dt.timedelta(minutes=11))
    assert [(p.seq, p.kind) for p in problems] == [(None, "unlinked")]
    assert problems[0].message.startswith(
        f"1 entries written since {event.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC are not linked"
    )
    audit_link_pending()
    assert audit_verify(now=timezone.now() + dt.timedelta(minutes=11)) == []
    assert audit_unlinked_count() == 0


def test_the_newest_events_come_first_linked_or_not(chain):
    pending = later(6)
    assert [e.pk for e in AuditEvent.objects.all()[:2]] == [pending.pk, chain[-1].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_linkers_keep_one_gapless_chain():
    """Submissions (unlinked), staff actions (linked) and linkers, side by side."""
    import threading

    from django.db import connections, transaction

    errors = []

    def work(kind, count):
        try:
            for n in range(count):
                if kind == "later":
                    with transaction.atomic():
                        later(n)
                elif kind == "now":
                    audit_record("test.now", actor="unit test", detail={"n": n})
                else:
                    audit_link_pending(batch=3)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    plan = [("later", 40)] * 4 + [("now", 15)] * 2 + [("link", 20)] * 2
    threads = [threading.Thread(target=work, args=job) for job in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    while audit_link_pending():
        pass
    assert AuditEvent.objects.count() == 4 * 40 + 2 * 15
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 4 * 40 + 2 * 15 + 1))
    assert audit_verify() == []
