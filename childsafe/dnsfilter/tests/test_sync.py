"""The policy download (offline start, failed updates, 304, swap and save) and the stats
upload, against a tiny HTTP server on loopback standing in for the central server."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rcode
import pytest

from childsafe.dnsfilter.policy import load_policy
from childsafe.dnsfilter.server import Filter, serve_in_thread
from childsafe.dnsfilter.stats import TopBlocked, Totals
from childsafe.dnsfilter.sync import (
    FIRST_RETRY_SECS,
    POLICY_FILE,
    Link,
    PolicySync,
    StatsUpload,
    write_atomically,
)
from childsafe.dnsfilter.tests.conftest import FakeUpstream
from childsafe.dnsfilter.upstream import Resolver

SCHOOL = 12
TOKEN = "cs_test-token"


class Central:
    """The central server's two routes for one school: ``document`` (or ``status`` /
    ``raw`` to misbehave) and the stats uploads received."""

    def __init__(self) -> None:
        self.document: dict[str, Any] | None = None
        self.status = 200
        self.raw: bytes | None = None  # sent as is, with a Content-Length of ``length``
        self.length: int | None = None
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.uploads: list[dict[str, Any]] = []
        self.stats_status = 200
        central = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                central.requests.append(("GET", self.path, dict(self.headers)))
                if self.path != f"/feeds/school/{SCHOOL}/policy.json":
                    return self._send(404, b"{}")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, b"{}")
                if central.raw is not None:
                    return self._send(central.status, central.raw, central.length)
                if central.status != 200 or central.document is None:
                    return self._send(central.status, b'{"detail": "no"}')
                etag = f'"{central.document["version"]}"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", etag=etag)
                self._send(200, json.dumps(central.document).encode(), etag=etag)

            def do_POST(self) -> None:
                central.requests.append(("POST", self.path, dict(self.headers)))
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != f"/feeds/school/{SCHOOL}/stats":
                    return self._send(404, b"{}")
                if central.stats_status == 200:
                    central.uploads.append(json.loads(body))
                self._send(central.stats_status, b'{"hours": 0, "days": 0}')

            def _send(
                self, status: int, body: bytes, length: int | None = None, etag: str = ""
            ) -> None:
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                if status != 304:
                    self.send_header("Content-Type", "application/json")
                    self.send_header(
                        "Content-Length", str(len(body) if length is None else length)
                    )
                self.end_headers()
                self.wfile.write(body)
                if length is not None:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def central() -> Iterator[Central]:
    server = Central()
    try:
        yield server
    finally:
        server.close()


def unreachable() -> str:
    """A loopback address where nothing listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def make_sync(url: str, state_dir: Path, upstream: FakeUpstream) -> PolicySync:
    link = Link(url, TOKEN, SCHOOL, timeout=5)
    return PolicySync(Filter(Resolver([upstream.address])), link, state_dir)


def save(state_dir: Path, document: dict[str, Any]) -> Path:
    path = state_dir / POLICY_FILE
    path.write_text(json.dumps(document))
    return path


def ask(address: tuple[str, int], name: str) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, "A"), address[0], port=address[1], timeout=3)


# -- Offline start ---------------------------------------------------------------------


def test_offline_start_filters_with_the_last_good_policy(tmp_path, document, upstream):
    save(tmp_path, document)
    upstream.add("fine.example", "A", "192.0.2.7")
    sync = make_sync(unreachable(), tmp_path, upstream)
    assert sync.load_saved()
    assert sync.sync_once() == "failed"
    assert sync.filter.policy is not None and sync.filter.policy.version == "v1"
    with serve_in_thread(sync.filter) as server:
        address = server.addresses[0]
        assert ask(address, "adult.example").rcode() == dns.rcode.NXDOMAIN  # category
        assert ask(address, "www.bad.example").rcode() == dns.rcode.NXDOMAIN  # authority
        answer = ask(address, "fine.example")
        assert answer.rcode() == dns.rcode.NOERROR
        assert answer.answer[0][0].to_text() == "192.0.2.7"
    assert ("udp", "adult.example", "A") not in upstream.queries


def test_no_policy_at_all_answers_servfail_never_unfiltered(tmp_path, upstream, caplog):
    upstream.add("adult.example", "A", "192.0.2.66")
    sync = make_sync(unreachable(), tmp_path, upstream)
    assert not sync.load_saved()
    assert sync.sync_once() == "failed"
    with serve_in_thread(sync.filter) as server:
        assert ask(server.addresses[0], "adult.example").rcode() == dns.rcode.SERVFAIL
    assert upstream.queries == []


def test_a_corrupt_saved_policy_is_not_loaded(tmp_path, upstream, caplog):
    (tmp_path / POLICY_FILE).write_text('{"format": "childsafe-policy/1", "vers')
    sync = make_sync(unreachable(), tmp_path, upstream)
    assert not sync.load_saved()
    assert sync.filter.policy is None
    assert "not valid" in caplog.text


# -- Updates ---------------------------------------------------------------------------


def test_a_successful_update_swaps_and_saves_it(tmp_path, document, upstream, central):
    central.document = document
    sync = make_sync(central.url, tmp_path, upstream)
    assert sync.sync_once() == "updated"
    assert sync.filter.policy is not None and sync.filter.policy.version == "v1"
    document = dict(document, version="v2", deny=["new.example"])
    central.document = document
    assert sync.sync_once() == "updated"
    assert sync.filter.policy.version == "v2"
    saved = (tmp_path / POLICY_FILE).read_bytes()
    assert load_policy(saved).version == "v2"
    assert [p.name for p in tmp_path.iterdir()] == [POLICY_FILE]  # no temp file left
    get = central.requests[-1]
    assert get[2]["Authorization"] == f"Bearer {TOKEN}"
    assert get[2]["If-None-Match"] == '"v1"'
    assert get[2]["User-Agent"].startswith("childsafe-dnsfilter/")


def test_304_keeps_the_policy_without_rewriting(tmp_path, document, upstream, central):
    central.document = document
    sync = make_sync(central.url, tmp_path, upstream)
    assert sync.sync_once() == "updated"
    policy = sync.filter.policy
    before = (tmp_path / POLICY_FILE).stat()
    assert sync.sync_once() == "unchanged"
    assert sync.filter.policy is policy
    after = (tmp_path / POLICY_FILE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_after_a_restart_the_saved_version_is_asked_with_if_none_match(
    tmp_path, document, upstream, central
):
    save(tmp_path, document)
    central.document = document
    sync = make_sync(central.url, tmp_path, upstream)
    assert sync.load_saved()
    assert sync.sync_once() == "unchanged"
    assert central.requests[-1][2]["If-None-Match"] == '"v1"'


BAD_DOCUMENTS = {
    "HTTP 500": (500, None, None),
    "HTTP 401": (401, None, None),
    "truncated JSON": (200, b'{"format": "childsafe-policy/1", "version": "v9", "tim', None),
    "cut short of its Content-Length": (200, b'{"format": "childsafe-policy/1"}', 5000),
    "failing validation": (
        200,
        json.dumps({"format": "childsafe-policy/1", "version": "v9", "timezone": "Mars/Base"}),
        None,
    ),
    "another school's": (200, "OTHER", None),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_failed_update_keeps_the_old_policy(tmp_path, document, upstream, central, case):
    save(tmp_path, document)
    saved = (tmp_path / POLICY_FILE).read_bytes()
    sync = make_sync(central.url, tmp_path, upstream)
    assert sync.load_saved()
    status, raw, length = BAD_DOCUMENTS[case]
    if raw == "OTHER":
        raw = json.dumps(dict(document, version="v9", school={"id": 99})).encode()
    central.status = status
    central.raw = raw.encode() if isinstance(raw, str) else raw
    central.length = length
    assert sync.sync_once() == "failed"
    assert sync.filter.policy is not None and sync.filter.policy.version == "v1"
    assert (tmp_path / POLICY_FILE).read_bytes() == saved
    assert sync.failures.delay(300) < 300  # retried sooner


def test_failures_are_logged_once_and_back_off(tmp_path, upstream, central, caplog):
    central.status = 500
    sync = make_sync(central.url, tmp_path, upstream)
    with caplog.at_level(logging.INFO, logger="childsafe.dnsfilter.sync"):
        delays = []
        for _ in range(4):
            assert sync.sync_once() == "failed"
            delays.append(sync.failures.delay(300))
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert TOKEN not in caplog.text
        assert delays[0] <= FIRST_RETRY_SECS * 1.1
        assert delays == sorted(delays) and delays[-1] > delays[0]
        central.status = 200
        central.document = None
        central.raw = json.dumps(
            {
                "format": "childsafe-policy/1",
                "version": "v5",
                "timezone": "Asia/Ho_Chi_Minh",
                "block": {"mode": "nxdomain"},
                "default_tier": "primary",
            }
        ).encode()
        assert sync.sync_once() == "updated"
        assert sync.failures.delay(300) == 300
        assert "works again after 4 failures" in caplog.text


def test_write_atomically_replaces_the_file_whole(tmp_path):
    path = tmp_path / "f.json"
    write_atomically(path, b"one")
    write_atomically(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


# -- Stats -----------------------------------------------------------------------------


def test_the_filter_counts_blocked_names_only_never_clients(document, upstream):
    flt = Filter(Resolver([upstream.address]), load_policy(document), clock=lambda: 86400 * 3 + 5)
    for name, client in (("adult.example", "10.10.1.5"), ("adult.example", "10.10.1.6")):
        query = dns.message.make_query(name, "A").to_wire()
        flt.respond(query, client, False)
    flt.respond(dns.message.make_query("fine.example", "A").to_wire(), "10.10.1.5", False)
    assert flt.top_blocked.take() == {(3, "adult.example"): 2}
    counters = flt.take_counters()
    assert counters == {(72, "primary", "adult"): 2, (72, "primary", "forward"): 1}
    assert not any("10.10" in str(k) for k in counters)


def test_top_blocked_is_bounded():
    top = TopBlocked(max_names=10)
    for _ in range(5):
        top.add(1, "popular.example")
    for i in range(50):
        top.add(1, f"n{i}.example")
    counts = top.take()
    assert len(counts) <= 10
    assert counts[(1, "popular.example")] == 5


def test_totals_send_whole_hours_and_drop_them_once_sent():
    totals = Totals(top=2)
    totals.add({(100, "primary", "adult"): 2}, {(4, "a.example"): 3, (4, "b.example"): 1})
    totals.add(
        {(100, "primary", "adult"): 1, (101, "staff", "forward"): 4},
        {(4, "c.example"): 2},
    )
    payload = totals.payload()
    assert payload is not None
    assert payload["hours"] == [
        {"hour": "1970-01-05T04:00:00+00:00", "tier": "primary", "outcome": "adult", "count": 3},
        {"hour": "1970-01-05T05:00:00+00:00", "tier": "staff", "outcome": "forward", "count": 4},
    ]
    assert payload["top_blocked"] == [
        {"day": "1970-01-05", "domain": "a.example", "count": 3},
        {"day": "1970-01-05", "domain": "c.example", "count": 2},
    ]
    totals.sent(101)  # hour 101 and day 4 are still going on
    assert totals.hours == {(101, "staff", "forward"): 4}
    assert totals.days
    totals.sent(200)
    assert totals.payload() is None


def test_stats_upload_posts_the_totals_and_keeps_them_on_failure(document, upstream, central):
    now = 86400 * 3 + 3600 * 5 + 10
    flt = Filter(Resolver([upstream.address]), load_policy(document), clock=lambda: now)
    flt.respond(dns.message.make_query("adult.example", "A").to_wire(), "10.10.1.5", False)
    stats = StatsUpload(flt, Link(central.url, TOKEN, SCHOOL, timeout=5), clock=lambda: now)
    central.stats_status = 500
    payload = stats.collect()
    assert payload is not None
    assert not stats.upload(payload, int(now // 3600))
    assert stats.totals.hours  # kept for the next try
    central.stats_status = 200
    flt.respond(dns.message.make_query("adult.example", "A").to_wire(), "10.10.1.5", False)
    payload = stats.collect()
    assert payload is not None
    assert stats.upload(payload, int(now // 3600))
    (sent,) = central.uploads
    assert sent["hours"] == [
        {"hour": "1970-01-04T05:00:00+00:00", "tier": "primary", "outcome": "adult", "count": 2}
    ]
    assert sent["top_blocked"] == [{"day": "1970-01-04", "domain": "adult.example", "count": 2}]
    assert "10.10.1.5" not in json.dumps(sent)
    post = [r for r in central.requests if r[0] == "POST"][-1]
    assert post[2]["Authorization"] == f"Bearer {TOKEN}"
    assert post[2]["Content-Type"] == "application/json"
