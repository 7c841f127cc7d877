"""Counts not yet uploaded survive a restart of the box (``<state-dir>/stats.json``)."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
from typing import Any

import dns.message
import dns.rcode
import pytest

from childsafe.dnsfilter.policy import load_policy
from childsafe.dnsfilter.server import Filter
from childsafe.dnsfilter.stats import KEEP_HOURS, Totals
from childsafe.dnsfilter.sync import STATS_FILE, Link, StatsUpload
from childsafe.dnsfilter.tests.test_main import ask, config_for, run_service, wait_for
from childsafe.dnsfilter.tests.test_sync import SCHOOL, TOKEN, unreachable
from childsafe.dnsfilter.tests.test_sync import central as central  # the fixture
from childsafe.dnsfilter.upstream import Resolver

NOW = 86400 * 20 + 3600 * 5 + 10  # day 20, hour 485
HOUR = NOW // 3600


def make_stats(url: str, tmp_path, upstream, document, now: float = NOW) -> StatsUpload:
    flt = Filter(Resolver([upstream.address]), load_policy(document), clock=lambda: now)
    link = Link(url, TOKEN, SCHOOL, timeout=5)
    return StatsUpload(flt, link, clock=lambda: now, state_dir=tmp_path)


def block(stats: StatsUpload, name: str = "adult.example") -> None:
    stats.filter.respond(dns.message.make_query(name, "A").to_wire(), "10.10.1.5", False)


def test_totals_dump_and_load_whole():
    totals = Totals()
    totals.add({(HOUR, "primary", "adult"): 3}, {(20, "adult.example"): 3})
    again = Totals()
    again.load(totals.dump())
    assert (again.hours, again.days) == (totals.hours, totals.days)
    assert "10.10" not in totals.dump().decode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b'{"format": "childsafe-stats/1", "hours": [[1, "primary", "adult"',
        b'{"format": "other", "hours": [], "days": []}',
        b'{"format": "childsafe-stats/1", "hours": [[1, "primary", "adult", -2]], "days": []}',
        b'{"format": "childsafe-stats/1", "hours": [], "days": [[1, "", 2]]}',
        b'{"format": "childsafe-stats/1", "hours": [[true, "a", "b", 1]], "days": []}',
        b'{"format": "childsafe-stats/1", "hours": {}, "days": []}',
        b"[]",
    ],
)
def test_a_bad_file_is_refused_whole(data):
    totals = Totals()
    totals.add({(1, "primary", "adult"): 1}, {})
    with pytest.raises(ValueError):
        totals.load(data)
    assert totals.hours == {(1, "primary", "adult"): 1}  # nothing added


def test_a_restart_keeps_the_counts_an_upload_did_not_send(tmp_path, document, upstream, central):
    stats = make_stats(unreachable(), tmp_path, upstream, document)
    block(stats)
    block(stats)
    path = tmp_path / STATS_FILE
    assert asyncio.run(stats.upload_once()) is False  # unreachable: kept, and saved
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "10.10.1.5" not in path.read_text()

    restarted = make_stats(central.url, tmp_path, upstream, document)
    assert restarted.load_saved()
    block(restarted)
    assert asyncio.run(restarted.upload_once()) is True
    (sent,) = central.uploads
    assert sent["hours"] == [
        {"hour": "1970-01-21T05:00:00+00:00", "tier": "primary", "outcome": "adult", "count": 3}
    ]
    assert sent["top_blocked"] == [{"day": "1970-01-21", "domain": "adult.example", "count": 3}]
    # After a successful upload the file holds only the hour still going on.
    saved = json.loads(path.read_text())
    assert saved["hours"] == [[HOUR, "primary", "adult", 3]]


def test_hours_past_the_keep_window_are_dropped_at_load(tmp_path, document, upstream):
    old = Totals()
    old.add(
        {(HOUR - KEEP_HOURS - 1, "primary", "adult"): 5, (HOUR - 2, "staff", "forward"): 7},
        {((HOUR - KEEP_HOURS - 1) // 24 - 1, "old.example"): 5, (HOUR // 24, "new.example"): 1},
    )
    (tmp_path / STATS_FILE).write_bytes(old.dump())
    stats = make_stats(unreachable(), tmp_path, upstream, document)
    assert stats.load_saved()
    assert stats.totals.hours == {(HOUR - 2, "staff", "forward"): 7}
    assert stats.totals.days == {(HOUR // 24, "new.example"): 1}


def test_a_corrupt_file_is_logged_once_and_ignored(tmp_path, document, upstream, caplog):
    (tmp_path / STATS_FILE).write_text('{"format": "childsafe-stats/1", "hours": [[')
    stats = make_stats(unreachable(), tmp_path, upstream, document)
    with caplog.at_level(logging.INFO, logger="childsafe.dnsfilter.sync"):
        assert not stats.load_saved()
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and "not valid, ignored" in errors[0].getMessage()
    assert stats.totals.hours == {}


def restart(tmp_path, url: str, upstream, names: list[str]) -> dict[str, Any]:
    """Run the whole service, ask ``names``, stop it (the last upload happens then)."""
    got: dict[str, Any] = {}
    stop = run_service(
        config_for(url, tmp_path, upstream), lambda s, y: got.update(server=s, sync=y)
    )
    try:
        wait_for(lambda: got["sync"].filter.policy is not None)
        for name in names:
            assert ask(got["server"].addresses[0], name).rcode() == dns.rcode.NXDOMAIN
    finally:
        stop()
    return got


def test_the_service_sends_after_a_restart_what_it_could_not_send_before(
    tmp_path, document, upstream, central
):
    (tmp_path / "policy.json").write_text(json.dumps(document))
    restart(tmp_path, unreachable(), upstream, ["adult.example", "casino.example"])
    assert (tmp_path / STATS_FILE).exists()
    central.document = document
    restart(tmp_path, central.url, upstream, ["adult.example"])
    (upload,) = central.uploads
    counts: dict[str, int] = {}
    for row in upload["hours"]:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + row["count"]
    assert counts == {"adult": 2, "gambling": 1}


def test_a_corrupt_file_does_not_stop_the_service(tmp_path, document, upstream, central):
    (tmp_path / STATS_FILE).write_bytes(b"\x00garbage")
    central.document = document
    restart(tmp_path, central.url, upstream, ["adult.example"])
    (upload,) = central.uploads
    assert [(r["outcome"], r["count"]) for r in upload["hours"]] == [("adult", 1)]
    assert json.loads((tmp_path / STATS_FILE).read_text())["format"] == "childsafe-stats/1"
