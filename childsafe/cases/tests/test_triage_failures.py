"""A report whose triage keeps failing (a poison pill) must not block the queue."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import MAX_TRIAGE_ATTEMPTS, Case, TriageFailure
from childsafe.cases.services import case_triage_next, triage, triage_failure_retry
from childsafe.cases.tests.factories import make_report

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def poison(orgs, monkeypatch):
    """The oldest report cannot be triaged; a newer one can."""
    bad = make_report(received_at=NOW - dt.timedelta(hours=2))
    good = make_report(received_at=NOW - dt.timedelta(hours=1))
    real = triage._triage

    def failing(report, *, now):
        if report.pk == bad.pk:
            raise ValueError("broken routing data")
        return real(report, now=now)

    monkeypatch.setattr(triage, "_triage", failing)
    return bad, good


def test_a_failure_is_counted_and_rolled_back(poison):
    bad, _good = poison
    with pytest.raises(ValueError):
        case_triage_next(now=NOW)
    bad.refresh_from_db()
    assert bad.triaged_at is None
    assert not Case.objects.exists()
    failure = TriageFailure.objects.get(report=bad)
    assert (failure.attempts, failure.error, failure.last_failed_at) == (1, "ValueError", NOW)


def test_after_three_failures_the_report_is_skipped_and_logged_once(poison, caplog):
    bad, good = poison
    caplog.set_level(logging.ERROR, logger="childsafe.cases.services.triage")
    for _attempt in range(MAX_TRIAGE_ATTEMPTS):
        with pytest.raises(ValueError):
            case_triage_next(now=NOW)
    case = case_triage_next(now=NOW)
    assert case is not None and case.case_reports.get().report == good
    assert case_triage_next(now=NOW) is None  # the poison pill stays aside
    assert TriageFailure.objects.get(report=bad).attempts == MAX_TRIAGE_ATTEMPTS
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1
    assert "broken routing data" not in caplog.text  # only the class name is kept


def test_a_retry_puts_the_report_back_in_the_queue(poison, personas, monkeypatch):
    bad, _good = poison
    TriageFailure.objects.create(report=bad, attempts=MAX_TRIAGE_ATTEMPTS)
    triage_failure_retry(TriageFailure.objects.get(), actor=personas["province_coordinator"])
    assert not TriageFailure.objects.exists()
    assert AuditEvent.objects.get(action="case.triage_retry").object_id == str(bad.pk)
    monkeypatch.undo()
    case = case_triage_next(now=NOW)
    assert case.case_reports.get().report == bad


def test_the_worker_goes_on_with_the_other_jobs(poison):
    from childsafe.cases.management.commands.worker import run_jobs

    for _attempt in range(MAX_TRIAGE_ATTEMPTS):
        run_jobs()
    assert run_jobs()["triage"] == 1  # the good report, past the skipped one
