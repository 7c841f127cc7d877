"""Several workers triaging at once (PostgreSQL: SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from childsafe.cases.models import Case, CaseReport
from childsafe.cases.services import case_triage_next
from childsafe.cases.tests.factories import make_report
from childsafe.testing import make_orgs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]

WORKERS = 4


def test_concurrent_workers_triage_each_report_once_into_one_case():
    make_orgs()
    reports = [make_report(urls=["https://example.com/same"]) for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work() -> None:
        try:
            start.wait()
            while case_triage_next() is not None:
                pass
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert CaseReport.objects.count() == len(reports)
    assert Case.objects.count() == 1
