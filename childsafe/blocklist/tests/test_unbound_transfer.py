"""Time to block: Debian's Unbound as an RPZ secondary of ``childsafe zoneserver``.

Unbound (``tests/unbound.py``, loopback only) transfers the authority zone from a zone
server running in a thread of this process. An ICT officer drafts a blocking order, a
second one approves it (four eyes), and the test measures the seconds from the
approval until Unbound answers NXDOMAIN for the blocked name and a name below it. The
path: the approval commits; ``zones.zone_apply`` sends a NOTIFY to the zone server on
commit; the zone server reads the journal step, sends a NOTIFY to Unbound; Unbound
probes the SOA and takes the IXFR.

TSIG is not covered here: Unbound 1.17 (Debian 12) cannot sign transfers (its support
is an open pull request, NLnetLabs/unbound#1334), so its RPZ primaries are limited by
address (``--allow-transfer``). ``test_zoneserver.py`` covers TSIG with dnspython.

The server's database reads and the test's writes take turns on ``DB_LOCK`` (see
``test_zoneserver.py``: SQLite's shared in-memory test database).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import dns.rcode
import pytest

from childsafe.blocklist.tests.test_zoneserver import DB_LOCK, DatabaseAuthority, options
from childsafe.blocklist.tests.unbound import UnboundServer, rpz_primary, unbound_server
from childsafe.blocklist.zoneserver.server import ZoneServer, serve_in_thread
from childsafe.orgs.models import User
from childsafe.orgs.roles import Role
from childsafe.takedown import services as takedown
from childsafe.takedown.models import ProviderScope
from childsafe.testing import Orgs, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "authority.rpz.childsafe."
TIME_TO_BLOCK_LIMIT_SECS = 10.0


@pytest.fixture
def authority() -> DatabaseAuthority:
    return DatabaseAuthority()


@pytest.fixture
def zone_server(authority: DatabaseAuthority, settings: Any) -> Iterator[ZoneServer]:
    authority.block("seed.example.com")
    # Polling once a second: the NOTIFY from the app is what makes it quick.
    with serve_in_thread(options(poll_secs=1.0), source=authority.source()) as server:
        host, port = server.addresses[0]
        # The web app's NOTIFY after each change (zones.zone_apply, on commit).
        settings.CHILDSAFE_ZONESERVER_NOTIFY = [f"{host}:{port}"]
        yield server


@pytest.fixture
def unbound(zone_server: ZoneServer) -> Iterator[UnboundServer]:
    _host, port = zone_server.addresses[0]
    # for-downstream: Unbound answers queries for the zone itself (its SOA: which serial
    # it holds).
    clause = rpz_primary(ORIGIN, port) + "    for-downstream: yes\n"
    with unbound_server(rpz=[clause]) as server:
        # The zone server's NOTIFY goes to this Unbound from now on.
        zone_server.options = dataclasses.replace(
            zone_server.options, notify=(("127.0.0.1", server.port),)
        )
        wait_rcode(server, "seed.example.com", dns.rcode.NXDOMAIN, timeout=10)
        yield server


def wait_rcode(server: UnboundServer, name: str, rcode: int, *, timeout: float) -> float:
    """Ask until Unbound answers ``rcode``; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if server.query(name, "A", timeout_secs=0.2).rcode() == rcode:
                return time.monotonic() - started
        except Exception:  # a timeout while it transfers: ask again
            pass
        time.sleep(0.005)
    raise AssertionError(
        f"unbound did not answer {dns.rcode.to_text(rcode)} for {name} in {timeout} s:\n"
        + server.log()[-3000:]
    )


@pytest.fixture
def officers(orgs: Orgs, personas: dict[str, User]) -> tuple[User, User]:
    ProviderScope.objects.create(provider=orgs.provider, kind="domain", value="hostvn.vn")
    return personas["ict_officer"], make_user("ict2", Role.ICT_OFFICER, orgs.ict)


def test_an_approved_blocking_order_reaches_unbound_in_seconds(
    authority, unbound, officers, capsys
):
    drafter, approver = officers
    with DB_LOCK:
        order = takedown.order_draft(
            actor=drafter,
            targets=["*.bad-site.hostvn.vn"],
            action="block",
            reason="csam",
            legal_basis="Nghị định 147/2024/NĐ-CP",
        )
    assert unbound_serial(unbound) == authority.current_serial()  # nothing new for it yet

    started = time.monotonic()
    with DB_LOCK:
        takedown.order_approve(order, actor=approver)
    wait_rcode(unbound, "bad-site.hostvn.vn", dns.rcode.NXDOMAIN, timeout=TIME_TO_BLOCK_LIMIT_SECS)
    seconds = time.monotonic() - started
    wait_rcode(unbound, "www.bad-site.hostvn.vn", dns.rcode.NXDOMAIN, timeout=1)

    with capsys.disabled():
        print(f"\ntime to block (order approval -> Unbound NXDOMAIN): {seconds:.3f} s")
    assert seconds < TIME_TO_BLOCK_LIMIT_SECS
    assert unbound_serial(unbound) == authority.current_serial()


def test_unbound_follows_a_lift_too(authority, unbound):
    authority.block("gone-soon.example.org")
    wait_rcode(
        unbound, "gone-soon.example.org", dns.rcode.NXDOMAIN, timeout=TIME_TO_BLOCK_LIMIT_SECS
    )
    serial = authority.unblock("gone-soon.example.org")
    deadline = time.monotonic() + TIME_TO_BLOCK_LIMIT_SECS
    while unbound_serial(unbound) != serial and time.monotonic() < deadline:
        time.sleep(0.01)
    assert unbound_serial(unbound) == serial
    # The record left Unbound's copy (asking for the name itself would go to the dead
    # forwarder: Unbound would take seconds to give up).
    owner = "gone-soon.example.org." + ORIGIN
    assert unbound.query(owner, "CNAME").rcode() == dns.rcode.NXDOMAIN
    assert unbound.query("seed.example.com").rcode() == dns.rcode.NXDOMAIN


def unbound_serial(server: UnboundServer) -> int:
    """The serial of Unbound's copy of the zone."""
    return server.query(ORIGIN, "SOA").answer[0][0].serial
