from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_record

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


@pytest.fixture
def chain(db):
    for n in range(1, 5):
        audit_record("test.event", actor="unit test", detail={"n": n})


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_reports_an_intact_trail(chain):
    out, err = run("verify")
    assert out == "audit trail intact: 4 entries\n"
    assert err == ""


def test_it_fails_naming_a_changed_entry(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET detail = %s WHERE seq = 2", ['{"n": 99}'])
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert str(failure.value) == (
        "audit trail is NOT intact: 1 problem(s) in 4 entries (entry 2 changed)"
    )
    assert "entry 2: changed: entry 2 was changed after it was written" in err.getvalue()


def test_it_fails_naming_a_deleted_entry(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 3")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"\(entry 3 missing\)"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert "entry 3: missing: entries 3 are missing (deleted)" in err.getvalue()


def test_it_fails_when_the_last_entry_is_deleted(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 4")
    with pytest.raises(CommandError, match=r"\(entry 4 missing\)"):
        run("verify")


def test_it_knows_only_verify_and_link(chain):
    with pytest.raises(CommandError, match="invalid choice"):
        run("repair")


def test_link_links_every_pending_entry(chain):
    for n in range(3):
        audit_record("test.later", actor="unit test", detail={"n": n}, link_later=True)
    out, _err = run("link")
    assert out == "linked 3 entries\n"
    assert run("verify") == ("audit trail intact: 7 entries\n", "")
    assert run("link")[0] == "linked 0 entries\n"


def test_verify_names_recent_entries_it_could_not_check(chain):
    audit_record("test.later", actor="unit test", link_later=True)
    out, _err = run("verify")
    assert out == "audit trail intact: 4 entries; 1 recent entries not linked yet, not checked\n"


def test_verify_fails_on_entries_left_unlinked_too_long(chain):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    audit_record("test.later", actor="unit test", link_later=True)
    err = io.StringIO()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=1)),
        pytest.raises(CommandError, match=r"1 problem\(s\) in 4 entries \(unlinked\)"),
    ):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("unlinked: 1 entries written since ")
