"""``childsafe zoneserver`` over real sockets on loopback, with dnspython as the client.

The server runs in a thread of the test process (``serve_in_thread``). Here it follows
an authority list kept in memory (``MemoryAuthority``, the follower's source without a
database), so these tests need no database; ``test_zoneserver_journal.py`` runs the
server on the real journal (``zones.zone_apply``), and ``test_unbound_transfer.py``
with Unbound as the secondary.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.xfr
import dns.zone
import pytest
from django.db import transaction
from django.utils import timezone

from childsafe.blocklist import zones
from childsafe.blocklist.models import AuthorityEntry, EntryKind, EntrySource
from childsafe.blocklist.zoneserver.config import ServerOptions, parse_networks, parse_tsig_key
from childsafe.blocklist.zoneserver.follower import DatabaseSource, Step
from childsafe.blocklist.zoneserver.server import ZoneServer, serve_in_thread

ORIGIN = "authority.rpz.childsafe."
KEY_TEXT = "xfr-key:hmac-sha256:" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="
KEY = parse_tsig_key(KEY_TEXT)
OTHER_SECRET = dns.tsig.Key(KEY.name, b"another-secret-another-secret!!", KEY.algorithm)
UNKNOWN_KEY = dns.tsig.Key("stranger", b"a-secret-nobody-configured-here", KEY.algorithm)
# On SQLite the test database is one in-memory database shared by the process's
# connections, and SQLite refuses a write while another connection reads ("database
# table is locked"): the server's reads and the tests' writes take turns on this lock.
# On PostgreSQL it changes nothing.
DB_LOCK = threading.Lock()


# -- The authority list: in memory, or in the database ---------------------------------


class MemoryAuthority:
    """A serial, the blocked domains and a journal, as ``zones`` keeps them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.serial = 1
        self.domains: set[str] = set()
        self.journal: list[Step] = []

    def block(self, *domains: str) -> int:
        with self.lock:
            new = set(domains) - self.domains
            if new:
                self.serial += 1
                self.domains |= new
                self.journal.append(Step(self.serial, sorted(new), []))
            return self.serial

    def unblock(self, *domains: str) -> int:
        with self.lock:
            gone = set(domains) & self.domains
            if gone:
                self.serial += 1
                self.domains -= gone
                self.journal.append(Step(self.serial, [], sorted(gone)))
            return self.serial

    def current_serial(self) -> int:
        return self.serial

    def source(self) -> MemorySource:
        return MemorySource(self)


class MemorySource(DatabaseSource):
    """``DatabaseSource``'s calls, answered from a ``MemoryAuthority``."""

    def __init__(self, authority: MemoryAuthority) -> None:
        super().__init__()
        self.authority = authority

    def snapshot(self) -> tuple[int, frozenset[str]]:
        with self.authority.lock:
            return self.authority.serial, frozenset(self.authority.domains)

    def serial(self) -> int:
        return self.authority.serial

    def changes_since(self, serial: int) -> list[Step] | None:
        with self.authority.lock:
            steps = [s for s in self.authority.journal if s.serial > serial]
            expected = list(range(serial + 1, self.authority.serial + 1))
            return steps if [s.serial for s in steps] == expected else None

    def close(self) -> None:
        pass


class DatabaseAuthority:
    """The real thing: entries and ``zones.zone_apply`` in a transaction, as the
    services do (the tests using it need ``django_db(transaction=True)``)."""

    def __init__(self) -> None:
        self.current_serial()  # the first snapshot records the mode (a reset)

    def block(self, *domains: str) -> int:
        with DB_LOCK, transaction.atomic():
            AuthorityEntry.objects.bulk_create(
                AuthorityEntry(
                    kind=EntryKind.DOMAIN,
                    value=domain,
                    host=domain,
                    reason="csam",
                    source=EntrySource.MANUAL,
                )
                for domain in domains
            )
            zones.zone_apply(zones.AUTHORITY_ZONE, added=domains)
            return zones.zone_serial(zones.AUTHORITY_ZONE)

    def unblock(self, *domains: str) -> int:
        with DB_LOCK, transaction.atomic():
            AuthorityEntry.objects.filter(host__in=domains, lifted_at__isnull=True).update(
                lifted_at=timezone.now(), lift_decision="test"
            )
            zones.zone_apply(zones.AUTHORITY_ZONE, removed=domains)
            return zones.zone_serial(zones.AUTHORITY_ZONE)

    def current_serial(self) -> int:
        with DB_LOCK:
            zones.zone_snapshot(zones.AUTHORITY_ZONE)
            return zones.zone_serial(zones.AUTHORITY_ZONE)

    def source(self) -> DatabaseSource:
        return DatabaseSource(db_lock=DB_LOCK)


Authority = MemoryAuthority | DatabaseAuthority


@pytest.fixture
def authority() -> Authority:
    return MemoryAuthority()


def options(**overrides: object) -> ServerOptions:
    values: dict[str, object] = {"listen": (("127.0.0.1", 0),), "poll_secs": 0.05}
    values.update(overrides)
    return ServerOptions(**values)  # type: ignore[arg-type]


@contextlib.contextmanager
def servers(authority: Authority) -> Iterator[Callable[..., ZoneServer]]:
    """``start(**options)`` starts a zone server on ``authority``; all stop at the end."""
    contexts = []

    def start(**overrides: object) -> ZoneServer:
        context = serve_in_thread(options(**overrides), source=authority.source())
        server = context.__enter__()
        contexts.append(context)
        return server

    try:
        yield start
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)


@pytest.fixture
def serve(authority: Authority) -> Iterator[Callable[..., ZoneServer]]:
    with servers(authority) as start:
        yield start


def wait_serial(server: ZoneServer, serial: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.view is not None and server.view.serial >= serial:
            return
        time.sleep(0.01)
    raise AssertionError(f"the server did not reach serial {serial}: {server.view}")


def where(server: ZoneServer) -> tuple[str, int]:
    return server.addresses[0]


def query(server: ZoneServer, name: str, rdtype: str, *, tcp: bool = False, **kw: object):
    host, port = where(server)
    q = dns.message.make_query(name, rdtype, **kw)  # type: ignore[arg-type]
    send = dns.query.tcp if tcp else dns.query.udp
    return send(q, host, port=port, timeout=3)


def axfr(server: ZoneServer, **kw: object) -> dns.zone.Zone:
    host, port = where(server)
    return dns.zone.from_xfr(dns.query.xfr(host, ORIGIN, port=port, lifetime=10, **kw))


def ixfr_into(server: ZoneServer, copy: dns.zone.Zone, **kw: object) -> None:
    """Bring ``copy`` up to date by IXFR from its own serial, as a secondary does."""
    host, port = where(server)
    q, _serial = dns.xfr.make_query(copy, **kw)  # type: ignore[arg-type]
    dns.query.inbound_xfr(host, copy, query=q, port=port, lifetime=10)


def ixfr_messages(server: ZoneServer, serial: int) -> list[dns.message.Message]:
    """The raw answer to an IXFR from ``serial``: every message until the server goes
    quiet (it keeps the connection open for more queries)."""
    host, port = where(server)
    q = dns.message.make_query(ORIGIN, "IXFR")
    q.authority.append(_soa_rrset(serial))
    wire = q.to_wire()
    out = []
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(struct.pack("!H", len(wire)) + wire)
        out.append(dns.message.from_wire(_read_tcp(sock), one_rr_per_rrset=True))
        sock.settimeout(0.3)
        while True:
            try:
                out.append(dns.message.from_wire(_read_tcp(sock), one_rr_per_rrset=True))
            except TimeoutError:
                return out


def _soa_rrset(serial: int):
    return dns.rrset.from_text(
        ORIGIN, 0, "IN", "SOA", f"localhost. hostmaster.localhost. {serial} 1 1 1 1"
    )


def _read_tcp(sock: socket.socket) -> bytes:
    (length,) = struct.unpack("!H", _read_exactly(sock, 2))
    return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def names(zone: dns.zone.Zone) -> set[str]:
    return {
        n.to_text()
        for n, node in zone.nodes.items()
        if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
    }


# -- Queries ---------------------------------------------------------------------------


def test_it_answers_the_soa_at_the_origin(authority, serve):
    authority.block("bad.example.com")
    server = serve()
    for tcp in (False, True):
        response = query(server, ORIGIN, "SOA", tcp=tcp)
        assert response.rcode() == dns.rcode.NOERROR
        assert response.flags & dns.flags.AA
        (soa,) = response.answer[0]
        assert soa.serial == authority.current_serial() >= 1
        assert soa.mname.to_text() == "localhost."


def test_it_answers_ns_and_nodata_at_the_origin(serve):
    server = serve()
    ns = query(server, ORIGIN, "NS")
    assert ns.rcode() == dns.rcode.NOERROR and ns.answer[0][0].target.to_text() == "localhost."
    txt = query(server, ORIGIN, "TXT")
    assert txt.rcode() == dns.rcode.NOERROR and not txt.answer
    assert txt.authority[0].rdtype == dns.rdatatype.SOA


def test_names_below_and_outside_the_zone_are_refused(authority, serve):
    authority.block("bad.example.com")
    server = serve()
    assert query(server, "bad.example.com." + ORIGIN, "CNAME").rcode() == dns.rcode.REFUSED
    assert query(server, "example.com.", "A").rcode() == dns.rcode.REFUSED


# -- AXFR ------------------------------------------------------------------------------


def test_axfr_holds_the_minimal_cover(authority, serve, tmp_path):
    authority.block(
        "bad.example.com", "www.bad.example.com", "worse.example.org", "xn--vd-hla.example.vn"
    )
    server = serve()
    zone = axfr(server)
    assert names(zone) == {
        "bad.example.com",
        "*.bad.example.com",
        "worse.example.org",
        "*.worse.example.org",
        "xn--vd-hla.example.vn",
        "*.xn--vd-hla.example.vn",
    }
    rdataset = zone.find_rdataset("*.bad.example.com", "CNAME")
    assert rdataset.ttl == 300 and rdataset[0].target == dns.name.root
    assert zone.get_soa().serial == authority.current_serial()
    # The zone is one BIND's checker accepts.
    path = tmp_path / "zone"
    zone.to_file(str(path), relativize=False)
    result = os.system(f"named-checkzone -q {ORIGIN} {path}")
    assert result == 0


def test_axfr_over_udp_is_refused(serve):
    server = serve()
    assert query(server, ORIGIN, "AXFR").rcode() == dns.rcode.REFUSED


def test_a_large_axfr_streams_in_many_messages(authority, serve):
    domains = [f"site{i}.example.com" for i in range(3000)]
    authority.block(*domains)
    server = serve(message_octets=4096)
    host, port = where(server)
    messages = list(dns.query.xfr(host, ORIGIN, port=port, lifetime=10))
    assert len(messages) > 10
    assert all(len(m.to_wire()) <= 4096 for m in messages)
    zone = dns.zone.from_xfr(iter(messages))
    assert len(names(zone)) == 2 * len(domains)


# -- IXFR ------------------------------------------------------------------------------


def test_ixfr_after_several_changes_matches_a_fresh_axfr(authority, serve):
    check_ixfr_after_several_changes(authority, serve)


def check_ixfr_after_several_changes(
    authority: Authority, serve: Callable[..., ZoneServer]
) -> None:
    # Enough domains that the diffs stay smaller than the zone (else it is sent whole).
    authority.block(*[f"seed{i}.example.com" for i in range(30)], "child.parent.example.org")
    server = serve()
    first = axfr(server)
    copy = axfr(server)

    steps = [
        lambda: authority.block("one.example.com", "two.example.com", "three.example.com"),
        lambda: authority.unblock("two.example.com"),
        # the parent covers the child: the child's records go
        lambda: authority.block("parent.example.org"),
        lambda: authority.block("deep.child.parent.example.org"),  # covered: no records change
        # the parent leaves: the child, still blocked, comes back (and the deep one
        # stays covered by the child)
        lambda: authority.unblock("parent.example.org"),
    ]
    for step in steps:
        serial = step()
        wait_serial(server, serial)
        ixfr_into(server, copy)
        fresh = axfr(server)
        assert copy.get_soa().serial == serial
        assert names(copy) == names(fresh)
        assert copy == fresh

    assert "child.parent.example.org" in names(copy)
    assert "deep.child.parent.example.org" not in names(copy)
    assert "two.example.com" not in names(copy)
    # One IXFR from the first copy carries all five steps, incrementally.
    messages = ixfr_messages(server, first.get_soa().serial)
    answer = [rr for m in messages for rr in m.answer]
    assert answer[1].rdtype == dns.rdatatype.SOA  # incremental form, not the whole zone
    assert sum(1 for rr in answer if rr.rdtype == dns.rdatatype.SOA) == 2 * len(steps) + 2
    ixfr_into(server, first)
    assert first == axfr(server)


def test_ixfr_from_an_unknown_serial_gets_the_whole_zone(authority, serve):
    old = authority.block("old.example.com")
    authority.block("new.example.com")
    server = serve()  # loaded after both changes: it holds no diff from ``old``
    messages = ixfr_messages(server, old)
    answer = [rr for m in messages for rr in m.answer]
    assert answer[0].rdtype == dns.rdatatype.SOA and answer[1].rdtype == dns.rdatatype.NS
    copy = dns.zone.Zone(ORIGIN)
    host, port = where(server)
    q, _ = dns.xfr.make_query(copy, serial=old)
    dns.query.inbound_xfr(host, copy, query=q, port=port, lifetime=10)
    assert copy == axfr(server)


@pytest.mark.parametrize("tcp", [True, False])
def test_ixfr_at_the_current_serial_gets_the_soa_alone(authority, serve, tcp):
    serial = authority.block("bad.example.com")
    server = serve()
    for asked in (serial, serial + 10):  # ours, or newer than ours (RFC 1995)
        q = dns.message.make_query(ORIGIN, "IXFR")
        q.authority.append(_soa_rrset(asked))
        host, port = where(server)
        send = dns.query.tcp if tcp else dns.query.udp
        response = send(q, host, port=port, timeout=3)
        assert [r.rdtype for r in response.answer] == [dns.rdatatype.SOA]
        assert response.answer[0][0].serial == serial


def test_ixfr_over_udp_sends_small_diffs_and_the_soa_for_large_ones(authority, serve):
    authority.block("seed.example.com")
    server = serve()
    copy = axfr(server)
    wait_serial(server, authority.block("small.example.com"))
    host, port = where(server)
    q, _ = dns.xfr.make_query(copy)
    dns.query.inbound_xfr(
        host, copy, query=q, port=port, lifetime=10, udp_mode=dns.query.UDPMode.ONLY
    )
    assert "small.example.com" in names(copy)

    wait_serial(server, authority.block(*[f"big{i}.example.com" for i in range(100)]))
    q, _ = dns.xfr.make_query(copy)
    with pytest.raises(dns.xfr.UseTCP):
        dns.query.inbound_xfr(
            host, copy, query=q, port=port, lifetime=10, udp_mode=dns.query.UDPMode.ONLY
        )
    q, _ = dns.xfr.make_query(copy)
    dns.query.inbound_xfr(
        host, copy, query=q, port=port, lifetime=10, udp_mode=dns.query.UDPMode.TRY_FIRST
    )
    assert copy == axfr(server)


# -- TSIG and who may transfer ---------------------------------------------------------


def test_with_a_key_unsigned_transfers_are_refused(authority, serve, caplog):
    authority.block("bad.example.com")
    server = serve(keys=(KEY,))
    host, port = where(server)
    with pytest.raises(dns.xfr.TransferError) as refused:
        list(dns.query.xfr(host, ORIGIN, port=port, lifetime=5))
    assert refused.value.rcode == dns.rcode.REFUSED
    assert "AXFR without a TSIG key from 127.0.0.1" in caplog.text
    # Logged once per client, however often it asks.
    with pytest.raises(dns.xfr.TransferError):
        list(dns.query.xfr(host, ORIGIN, port=port, lifetime=5))
    assert caplog.text.count("AXFR without a TSIG key") == 1
    # The SOA needs no key.
    assert query(server, ORIGIN, "SOA").rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize(
    ("key", "error"),
    [(OTHER_SECRET, dns.tsig.PeerBadSignature), (UNKNOWN_KEY, dns.tsig.PeerBadKey)],
    ids=["wrong-secret", "unknown-key"],
)
def test_a_bad_key_gets_notauth_with_the_tsig_error(authority, serve, caplog, key, error):
    authority.block("bad.example.com")
    server = serve(keys=(KEY,))
    host, port = where(server)
    with pytest.raises(error):
        list(
            dns.query.xfr(
                host, ORIGIN, port=port, lifetime=5, keyring={key.name: key}, keyname=key.name
            )
        )
    q = dns.message.make_query(ORIGIN, "AXFR")
    q.use_tsig({key.name: key}, keyname=key.name)
    wire = q.to_wire()
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(struct.pack("!H", len(wire)) + wire)
        answer = dns.message.from_wire(_read_tcp(sock), keyring=False)
    assert answer.rcode() == dns.rcode.NOTAUTH
    assert answer.tsig_error == (dns.rcode.BADSIG if key is OTHER_SECRET else dns.rcode.BADKEY)
    assert "TSIG" in caplog.text


def test_a_signed_transfer_is_answered_signed_in_every_message(authority, serve):
    authority.block(*[f"site{i}.example.com" for i in range(500)])
    server = serve(keys=(KEY,), message_octets=2048)
    host, port = where(server)
    keyring = {KEY.name: KEY}
    messages = list(
        dns.query.xfr(host, ORIGIN, port=port, lifetime=10, keyring=keyring, keyname=KEY.name)
    )
    assert len(messages) > 5
    assert all(m.had_tsig for m in messages)  # dnspython verified each MAC in turn
    zone = dns.zone.from_xfr(iter(messages))
    assert len(names(zone)) == 1000
    # IXFR too, into a copy.
    wait_serial(server, authority.block("later.example.com"))
    q, _ = dns.xfr.make_query(zone, keyring=keyring, keyname=KEY.name)
    dns.query.inbound_xfr(host, zone, query=q, port=port, lifetime=10)
    assert "later.example.com" in names(zone)
    # And signed SOA answers to signed SOA queries.
    q = dns.message.make_query(ORIGIN, "SOA")
    q.use_tsig(keyring, keyname=KEY.name)
    response = dns.query.udp(q, host, port=port, timeout=3)
    assert response.had_tsig and response.rcode() == dns.rcode.NOERROR


def test_transfers_from_addresses_not_allowed_are_refused(serve):
    server = serve(allow_transfer=parse_networks(["192.0.2.0/24"]))
    host, port = where(server)
    with pytest.raises(dns.xfr.TransferError) as refused:
        list(dns.query.xfr(host, ORIGIN, port=port, lifetime=5))
    assert refused.value.rcode == dns.rcode.REFUSED


# -- NOTIFY ----------------------------------------------------------------------------


@pytest.fixture
def secondary() -> Iterator[socket.socket]:
    """A fake secondary: a UDP socket on loopback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_a_change_sends_notify_to_the_secondaries(authority, serve, secondary):
    server = serve(notify=(secondary.getsockname(),))
    # The first load is announced too (a secondary may have missed changes).
    data, addr = secondary.recvfrom(4096)
    secondary.sendto(dns.message.make_response(dns.message.from_wire(data)).to_wire(), addr)
    serial = authority.block("bad.example.com")
    data, addr = secondary.recvfrom(4096)
    notify = dns.message.from_wire(data)
    assert notify.opcode() == dns.opcode.NOTIFY and notify.flags & dns.flags.AA
    assert notify.question[0].name == dns.name.from_text(ORIGIN)
    assert notify.answer[0][0].serial == serial
    assert server.view is not None and server.view.serial == serial


def test_notify_is_sent_again_until_answered(serve, secondary):
    serve(notify=(secondary.getsockname(),))
    first, _ = secondary.recvfrom(4096)
    again, addr = secondary.recvfrom(4096)  # 0.5 s later, unanswered
    assert dns.message.from_wire(again).id == dns.message.from_wire(first).id
    secondary.sendto(dns.message.make_response(dns.message.from_wire(again)).to_wire(), addr)
    secondary.settimeout(1.5)
    with pytest.raises(TimeoutError):
        secondary.recvfrom(4096)


def test_a_notify_from_elsewhere_is_refused(serve):
    server = serve(allow_notify=parse_networks(["192.0.2.0/24"]))
    host, port = where(server)
    q = dns.message.make_query(ORIGIN, "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    response = dns.query.udp(q, host, port=port, timeout=3)
    assert response.rcode() == dns.rcode.REFUSED


# -- Bad input -------------------------------------------------------------------------


def test_malformed_packets_are_refused_and_the_server_keeps_serving(serve, caplog):
    server = serve()
    host, port = where(server)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(0.5)
    try:
        # A truncated header: not even an id to answer to.
        udp.sendto(b"\x12\x34\x01", (host, port))
        with pytest.raises(TimeoutError):
            udp.recvfrom(4096)
        # Random bytes after a header: FORMERR.
        udp.sendto(
            b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + os.urandom(40), (host, port)
        )
        answer = dns.message.from_wire(udp.recvfrom(4096)[0])
        assert answer.id == 0xABCD and answer.rcode() == dns.rcode.FORMERR
        # Two questions: FORMERR.
        wire = bytearray(dns.message.make_query(ORIGIN, "SOA").to_wire())
        question = bytes(wire[12:])
        wire[4:6] = struct.pack("!H", 2)
        udp.sendto(bytes(wire) + question, (host, port))
        assert dns.message.from_wire(udp.recvfrom(4096)[0]).rcode() == dns.rcode.FORMERR
        # A response (QR set) is never answered.
        response = dns.message.make_response(dns.message.make_query(ORIGIN, "SOA"))
        udp.sendto(response.to_wire(), (host, port))
        with pytest.raises(TimeoutError):
            udp.recvfrom(4096)
    finally:
        udp.close()
    # TCP: a huge length prefix, then nothing.
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"\xff\xff" + b"\x00" * 10)
    # TCP: garbage in a well-framed message.
    with socket.create_connection((host, port), timeout=5) as sock:
        junk = b"\x00\x01\x00\x00\x00\x01" + os.urandom(30)
        sock.sendall(struct.pack("!H", len(junk)) + junk)
        assert dns.message.from_wire(_read_tcp(sock)).rcode() == dns.rcode.FORMERR
    # Still serving.
    for _ in range(50):
        if "TCP message cut short" in caplog.text:
            break
        time.sleep(0.05)
    assert query(server, ORIGIN, "SOA").rcode() == dns.rcode.NOERROR
    assert query(server, ORIGIN, "SOA", tcp=True).rcode() == dns.rcode.NOERROR
    for problem in (
        "short packet",
        "malformed packet",
        "not one question",
        "TCP message cut short",
    ):
        assert f"{problem} from 127.0.0.1" in caplog.text


def test_an_internal_error_gets_servfail(serve, monkeypatch):
    server = serve()

    def broken(serial: int) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(server.fmt, "soa_rdata", broken)
    assert query(server, ORIGIN, "SOA").rcode() == dns.rcode.SERVFAIL
    monkeypatch.undo()
    assert query(server, ORIGIN, "SOA").rcode() == dns.rcode.NOERROR


def test_before_the_zone_is_loaded_queries_get_servfail(serve):
    class Stuck(MemorySource):
        def snapshot(self) -> tuple[int, frozenset[str]]:
            raise RuntimeError("database down")

    context = serve_in_thread(options(), source=Stuck(MemoryAuthority()), wait_loaded_secs=0)
    with context as server:
        assert query(server, ORIGIN, "SOA").rcode() == dns.rcode.SERVFAIL
