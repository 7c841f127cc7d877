from __future__ import annotations

import pytest
from django.db import connection

from childsafe.audit.models import AuditChainHead, AuditEvent
from childsafe.audit.services import GENESIS, audit_record, audit_verify, compute_hash

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
