"""``childsafe worker``: drains the jobs once, or loops until SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
import time_machine
from django.core.management import call_command

from childsafe.cases.management.commands import worker
from childsafe.cases.models import Case
from childsafe.cases.tests.factories import make_report


def test_without_flag_it_drains_the_queue_once(orgs, capsys):
    for _ in range(3):
        make_report(category="scam")
    call_command("worker")
    assert Case.objects.count() == 3
    assert "triage: 3, escalation: 0, retention: 0" in capsys.readouterr().out


def test_with_loop_it_stops_cleanly_on_sigterm(orgs, monkeypatch, capsys):
    make_report()
    sleeps = []

    def sleep_then_terminate(secs):
        sleeps.append(secs)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(worker.time, "sleep", sleep_then_terminate)
    before = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--loop", "--sleep-secs", "0.5")
    assert sleeps == [0.5]
    assert Case.objects.count() == 1
    assert "worker stopped" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) is before  # handler restored


def test_a_failing_job_is_logged_and_the_others_run(monkeypatch, caplog, db):
    ran = []

    def broken():
        raise RuntimeError("boom")

    def fine():
        ran.append(1)
        return len(ran) < 2

    monkeypatch.setattr(worker, "JOBS", [("broken", broken), ("fine", fine)])
    assert worker.run_jobs() == {"broken": 0, "fine": 1}
    assert "job broken failed" in caplog.text


def test_a_stop_request_ends_the_drain(orgs):
    make_report()
    make_report()
    assert worker.run_jobs(lambda: True) == {name: 0 for name, _step in worker.JOBS}
    assert Case.objects.count() == 0


@pytest.mark.parametrize("argv", [["worker", "--sleep-secs", "x"]])
def test_bad_arguments_are_refused(argv):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(*argv)


def test_it_escalates_overdue_clocks(
    police_case, orgs, mailoutbox, django_capture_on_commit_callbacks
):
    orgs.district_police.email = "congan@example.vn"
    orgs.district_police.save()
    due = police_case.clocks.get().due_at
    with (
        time_machine.travel(due + dt.timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = worker.run_jobs()
    # Later issues' jobs (takedown verification and escalation) find nothing here.
    assert done == {name: 0 for name, _step in worker.JOBS} | {"escalation": 1}
    assert [m.to for m in mailoutbox] == [["congan@example.vn"]]
