"""The per-device query log on the box: only during a school's period, only in the state
directory, mode 0600, gone after 7 days, never uploaded."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dns.message
import dns.rcode
import pytest

from childsafe.dnsfilter.policy import PolicyError, load_policy
from childsafe.dnsfilter.querylog import QueryLog
from childsafe.dnsfilter.server import Filter
from childsafe.dnsfilter.stats import Totals
from childsafe.dnsfilter.tests.test_main import ask, config_for, run_service, wait_for
from childsafe.dnsfilter.tests.test_sync import central as central  # the fixture
from childsafe.dnsfilter.upstream import Resolver

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=HCM)
UNTIL = datetime(2026, 12, 2, 9, 0, tzinfo=HCM)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now.timestamp()

    def __call__(self) -> float:
        return self.now


def with_period(document: dict[str, Any], until: datetime = UNTIL) -> dict[str, Any]:
    return {**document, "query_log": {"until": until.isoformat(), "period_id": 7}}


def packet(name: str, rdtype: str = "A") -> bytes:
    return dns.message.make_query(name, rdtype).to_wire()


def logging_filter(tmp_path: Path, document: dict[str, Any]) -> tuple[Filter, QueryLog, Clock]:
    clock = Clock(MONDAY_MORNING)
    query_log = QueryLog(tmp_path / "state" / "querylog", clock=clock)
    flt = Filter(Resolver([("127.0.0.1", 9)]), clock=clock, query_log=query_log)
    flt.set_policy(load_policy(document))
    return flt, query_log, clock


def lines(directory: Path) -> list[list[str]]:
    found = []
    for path in sorted(directory.glob("*.log")):
        found += [line.split("\t") for line in path.read_text().splitlines()]
    return found


# -- The document ----------------------------------------------------------------------


def test_a_document_without_the_field_has_no_log(document):
    policy = load_policy(document)
    assert policy.query_log_until is None
    assert policy.query_log_period is None


def test_the_field_gives_the_end_and_the_period(document):
    policy = load_policy(with_period(document))
    assert policy.query_log_until == UNTIL.timestamp()
    assert policy.query_log_period == 7


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"until": "2026-12-02T09:00:00+07:00"},
        {"until": "2026-12-02T09:00:00+07:00", "period_id": "7"},
        {"until": "2026-12-02T09:00:00", "period_id": 7},  # no offset
        {"until": "soon", "period_id": 7},
    ],
)
def test_a_bad_field_refuses_the_document(document, value):
    with pytest.raises(PolicyError, match="query_log"):
        load_policy({**document, "query_log": value})


# -- Logging ---------------------------------------------------------------------------


def test_it_logs_each_query_during_the_period_to_a_private_daily_file(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, with_period(document))
    flt.respond(packet("adult.example"), "10.10.1.5", False)
    flt.respond(packet("Fine.Example", "AAAA"), "10.20.0.9", False)
    flt.respond(packet("www.google.com"), "10.10.1.5", True)
    assert query_log.flush() == 3
    directory = tmp_path / "state" / "querylog"
    assert [p.name for p in directory.iterdir()] == ["2026-11-30.log"]
    assert lines(directory) == [
        ["2026-11-30T09:00:00+07:00", "10.10.1.5", "adult.example", "A", "adult"],
        ["2026-11-30T09:00:00+07:00", "10.20.0.9", "fine.example", "AAAA", "forward"],
        ["2026-11-30T09:00:00+07:00", "10.10.1.5", "www.google.com", "A", "safesearch"],
    ]
    assert stat.S_IMODE(os.stat(directory / "2026-11-30.log").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")} == {
        "state",
        "state/querylog",
        "state/querylog/2026-11-30.log",
    }


def test_it_appends_and_starts_a_new_file_each_local_day(tmp_path, document):
    flt, query_log, clock = logging_filter(tmp_path, with_period(document))
    flt.respond(packet("one.example"), "10.10.1.5", False)
    query_log.flush()
    clock.now = datetime(2026, 11, 30, 23, 59, tzinfo=HCM).timestamp()
    flt.respond(packet("two.example"), "10.10.1.5", False)
    clock.now = datetime(2026, 12, 1, 0, 1, tzinfo=HCM).timestamp()
    flt.respond(packet("three.example"), "10.10.1.5", False)
    query_log.flush()
    directory = tmp_path / "state" / "querylog"
    assert [n[2] for n in lines(directory)] == ["one.example", "two.example", "three.example"]
    assert sorted(p.name for p in directory.iterdir()) == ["2026-11-30.log", "2026-12-01.log"]


def test_it_stops_when_the_period_ends(tmp_path, document):
    flt, query_log, clock = logging_filter(tmp_path, with_period(document))
    clock.now = UNTIL.timestamp() - 1
    flt.respond(packet("last.example"), "10.10.1.5", False)
    clock.now = UNTIL.timestamp()
    flt.respond(packet("after.example"), "10.10.1.5", False)
    query_log.flush()
    assert [n[2] for n in lines(tmp_path / "state" / "querylog")] == ["last.example"]


def test_it_stops_when_a_new_policy_drops_the_field(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, with_period(document))
    flt.respond(packet("during.example"), "10.10.1.5", False)
    flt.set_policy(load_policy({**document, "version": "v2"}))
    flt.respond(packet("ended.example"), "10.10.1.5", False)
    query_log.flush()
    assert [n[2] for n in lines(tmp_path / "state" / "querylog")] == ["during.example"]
    assert query_log.until is None


def test_without_the_field_nothing_is_logged_or_written(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, document)
    flt.respond(packet("adult.example"), "10.10.1.5", False)
    assert query_log.flush() == 0
    assert list(tmp_path.iterdir()) == []


def test_a_filter_without_a_query_log_ignores_the_field(document):
    flt = Filter(Resolver([("127.0.0.1", 9)]), load_policy(with_period(document)))
    assert flt.respond(packet("fine.example"), "10.10.1.5", False) is not None


def test_the_buffer_is_bounded(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, with_period(document))
    query_log.max_buffered = 2
    for name in ("a.example", "b.example", "c.example"):
        flt.respond(packet(name), "10.10.1.5", False)
    assert query_log.flush() == 2
    assert query_log.dropped == 1


def test_the_stats_upload_holds_no_client_address(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, with_period(document))
    for client in ("10.10.1.5", "10.20.0.9", "fd00:10::77"):
        flt.respond(packet("adult.example"), client, False)
        flt.respond(packet("fine.example"), client, False)
    totals = Totals()
    totals.add(flt.take_counters(), flt.top_blocked.take())
    body = json.dumps(totals.payload())
    assert "adult.example" in body
    for client in ("10.10.1.5", "10.20.0.9", "fd00:10::77", "fine.example"):
        assert client not in body
    assert query_log.flush() == 6  # the log has them, on the box


# -- Deleting old files ------------------------------------------------------------------


def test_files_are_deleted_once_their_day_began_7_days_ago(tmp_path, document):
    flt, query_log, clock = logging_filter(tmp_path, with_period(document))
    directory = tmp_path / "state" / "querylog"
    directory.mkdir(parents=True)
    for day in ("2026-11-22.log", "2026-11-23.log", "2026-11-24.log", "notes.txt"):
        (directory / day).write_text("x\n")
    clock.now = datetime(2026, 11, 30, 0, 0, tzinfo=HCM).timestamp()
    assert query_log.cleanup() == ["2026-11-22.log", "2026-11-23.log"]
    assert sorted(p.name for p in directory.iterdir()) == ["2026-11-24.log", "notes.txt"]


def test_every_file_goes_7_days_after_the_last_period(tmp_path, document):
    flt, query_log, clock = logging_filter(tmp_path, with_period(document))
    flt.respond(packet("a.example"), "10.10.1.5", False)
    clock.now = UNTIL.timestamp() - 60
    flt.respond(packet("b.example"), "10.10.1.5", False)
    query_log.flush()
    directory = tmp_path / "state" / "querylog"
    assert len(list(directory.iterdir())) == 2
    clock.now = (UNTIL + timedelta(days=6, hours=14)).timestamp()
    query_log.cleanup()
    assert [p.name for p in directory.iterdir()] == ["2026-12-02.log"]
    clock.now = (UNTIL + timedelta(days=7)).timestamp()
    query_log.cleanup()
    assert list(directory.iterdir()) == []


def test_cleanup_without_a_directory_does_nothing(tmp_path):
    assert QueryLog(tmp_path / "none").cleanup() == []
    assert not (tmp_path / "none").exists()


def test_run_flushes_every_few_seconds_and_at_the_end(tmp_path, document):
    flt, query_log, _clock = logging_filter(tmp_path, with_period(document))
    path = tmp_path / "state" / "querylog" / "2026-11-30.log"

    async def main() -> None:
        task = asyncio.create_task(query_log.run(flush_secs=0.05))
        flt.respond(packet("a.example"), "10.10.1.5", False)
        deadline = time.monotonic() + 5
        while not path.exists():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        flt.respond(packet("b.example"), "10.10.1.5", False)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
    assert [n[2] for n in lines(path.parent)] == ["a.example", "b.example"]


# -- The service -----------------------------------------------------------------------


def test_the_service_logs_into_its_state_directory_and_uploads_no_address(
    tmp_path, document, upstream, central
):
    until = datetime.now(HCM).replace(microsecond=0) + timedelta(hours=1)
    central.document = with_period(document, until)
    got = {}
    stop = run_service(
        config_for(central.url, tmp_path, upstream), lambda s, y: got.update(server=s, sync=y)
    )
    try:
        wait_for(lambda: got["server"].filter.policy is not None)
        address = got["server"].addresses[0]
        assert ask(address, "adult.example").rcode() == dns.rcode.NXDOMAIN
    finally:
        stop()
    (logged,) = lines(tmp_path / "querylog")
    assert logged[1:] == ["127.0.0.1", "adult.example", "A", "adult"]
    (upload,) = central.uploads
    assert "127.0.0.1" not in json.dumps(upload)
