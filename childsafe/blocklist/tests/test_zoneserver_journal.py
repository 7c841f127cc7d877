"""The zone server on the real journal: entries and ``zones.zone_apply`` in the test
database, read by the server's follower thread through its own connection.

Hence ``django_db(transaction=True)``; the server's reads and the tests' writes take
turns on ``DB_LOCK`` (see ``DatabaseAuthority``).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import pytest

from childsafe.blocklist import zones
from childsafe.blocklist.tests.test_zoneserver import (
    ORIGIN,
    DatabaseAuthority,
    check_ixfr_after_several_changes,
    options,
    query,
    servers,
    wait_serial,
    where,
)
from childsafe.blocklist.zoneserver.server import ZoneServer, serve_in_thread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authority() -> DatabaseAuthority:
    return DatabaseAuthority()


@pytest.fixture
def serve(authority: DatabaseAuthority) -> Iterator[Callable[..., ZoneServer]]:
    with servers(authority) as start:
        yield start


def test_ixfr_after_several_changes_matches_a_fresh_axfr(
    authority: DatabaseAuthority, serve: Callable[..., ZoneServer]
) -> None:
    check_ixfr_after_several_changes(authority, serve)


def test_a_notify_from_the_app_makes_the_server_look_at_once(authority, serve, settings):
    server = serve(poll_secs=60)  # no polling to speak of: only the NOTIFY can wake it
    host, port = where(server)
    settings.CHILDSAFE_ZONESERVER_NOTIFY = [f"{host}:{port}"]
    started = time.monotonic()
    serial = authority.block("bad.example.com")  # zone_apply sends the NOTIFY on commit
    wait_serial(server, serial, timeout=3)
    assert time.monotonic() - started < 3


def test_the_app_notify_never_fails_a_change(authority, settings, caplog):
    settings.CHILDSAFE_ZONESERVER_NOTIFY = ["not-an-address", "127.0.0.1:9"]
    serial = authority.block("bad.example.com")
    assert serial == zones.zone_serial(zones.AUTHORITY_ZONE)
    assert "cannot notify the zone server at not-an-address" in caplog.text


def test_the_app_notify_is_a_notify_for_the_origin(authority, settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(3)
        settings.CHILDSAFE_ZONESERVER_NOTIFY = [f"127.0.0.1:{sock.getsockname()[1]}"]
        authority.block("bad.example.com")
        notify = dns.message.from_wire(sock.recv(4096))
    assert notify.opcode() == dns.opcode.NOTIFY
    assert notify.question[0].name.to_text() == ORIGIN


def test_the_serial_only_grows_across_restarts(authority):
    seen = []
    for i in range(3):
        with serve_in_thread(options(), source=authority.source()) as server:
            seen.append(query(server, ORIGIN, "SOA").answer[0][0].serial)
        if i == 1:
            authority.block("bad.example.com")
    assert seen[0] >= 1
    assert seen[0] == seen[1] < seen[2]


def test_the_server_keeps_its_zone_while_the_database_fails(authority, serve, caplog):
    authority.block("bad.example.com")
    server = serve()
    serial = server.view.serial

    def broken() -> int:
        raise RuntimeError("database down")

    server.follower.source.serial = broken  # type: ignore[method-assign, union-attr]
    time.sleep(0.3)
    answer = query(server, ORIGIN, "SOA")
    assert answer.rcode() == dns.rcode.NOERROR and answer.answer[0][0].serial == serial
    assert "cannot read the zone" in caplog.text
    assert caplog.text.count("cannot read the zone") == 1  # once a minute at most
