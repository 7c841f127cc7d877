"""Officers and workers at once (PostgreSQL: SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.models import AuthorityEntry
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains
from childsafe.orgs.roles import Role
from childsafe.testing import make_orgs, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]

THREADS = 4


def run_together(work: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_officers_adding_the_same_domain_at_once_make_one_entry():
    orgs = make_orgs()
    officer = make_user("ict", Role.ICT_OFFICER, orgs.ict)
    review_on = timezone.localdate() + dt.timedelta(days=30)

    def add() -> AuthorityEntry:
        return services.entry_add(
            actor=officer, value="bad.example", reason="csam", note="", review_on=review_on
        )

    results, errors = run_together(add)
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(getattr(e, "code", "") == "duplicate" for e in errors)
    assert AuthorityEntry.objects.count() == 1
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}


def test_workers_expire_each_entry_once():
    orgs = make_orgs()
    officer = make_user("ict", Role.ICT_OFFICER, orgs.ict)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.entries_add_bulk(
            actor=officer,
            items=[
                {
                    "value": f"n{i}.example",
                    "reason": "csam",
                    "review_on": dt.date(2026, 4, 1),
                    "expires_at": start + dt.timedelta(hours=1),
                }
                for i in range(12)
            ],
        )

    def drain() -> int:
        handled = 0
        while services.entries_expire_next(now=start + dt.timedelta(hours=2)) is not None:
            handled += 1
        return handled

    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        results, errors = run_together(drain)
    assert errors == []
    assert sum(results) == 12  # type: ignore[arg-type]
    assert AuditEvent.objects.filter(action="blocklist.entry_expire").count() == 12
    assert zone_domains(AUTHORITY_ZONE) == frozenset()
