"""The filter service over real sockets on loopback, dnspython as the client, a fake
upstream resolver (``conftest.FakeUpstream``). The service runs in a thread of the test
process (``serve_in_thread``); no database."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dns.asyncquery
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from childsafe.dnsfilter.policy import PolicyError, load_policy
from childsafe.dnsfilter.server import Filter, run, serve_in_thread
from childsafe.dnsfilter.tests.conftest import FakeUpstream
from childsafe.dnsfilter.upstream import Cache, Resolver

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=HCM).timestamp()
MONDAY_LUNCH = datetime(2026, 11, 30, 12, 0, tzinfo=HCM).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextlib.contextmanager
def filtering(
    upstreams: list[tuple[str, int]],
    document: dict[str, Any],
    *,
    timeout: float = 0.3,
    attempts: int = 1,
    **options: Any,
) -> Iterator[tuple[int, Filter]]:
    monotonic = options.pop("monotonic", time.monotonic)
    resolver = Resolver(
        upstreams, timeout=timeout, attempts=attempts, cache=Cache(clock=monotonic)
    )
    flt = Filter(resolver, load_policy(document), monotonic=monotonic, **options)
    with serve_in_thread(flt) as server:
        yield server.addresses[0][1], flt


def ask(
    port: int,
    name: str,
    rdtype: str = "A",
    *,
    tcp: bool = False,
    source: str = "127.0.0.1",
    **make: Any,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, **make)
    if tcp:
        return dns.query.tcp(query, "127.0.0.1", port=port, timeout=3, source=source)
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=3, source=source)


def addresses(response: dns.message.Message) -> list[str]:
    return sorted(
        rd.to_text()
        for rrset in response.answer
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
        for rd in rrset
    )


def raw(port: int, data: bytes, timeout: float = 1.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, ("127.0.0.1", port))
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


# -- Blocking ------------------------------------------------------------------------


def test_blocked_names_get_nxdomain(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    with filtering([upstream.address], document) as (port, _):
        for name in ("adult.example", "www.Casino.Example", "bad.example", "deny.example"):
            response = ask(port, name)
            assert response.rcode() == dns.rcode.NXDOMAIN, name
            assert response.flags & dns.flags.RA
        response = ask(port, "x.gore.example", "AAAA", use_edns=0)
        assert response.rcode() == dns.rcode.NXDOMAIN
        assert response.edns == 0
    assert upstream.queries == []


def test_blockpage_mode(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    document["block"] = {"mode": "blockpage", "ipv4": "203.0.113.10", "ipv6": "2001:db8::10"}
    with filtering([upstream.address], document) as (port, _):
        response = ask(port, "adult.example")
        assert response.rcode() == dns.rcode.NOERROR
        assert addresses(response) == ["203.0.113.10"]
        assert response.answer[0].name == dns.name.from_text("adult.example")
        assert addresses(ask(port, "www.adult.example", "AAAA")) == ["2001:db8::10"]
        nodata = ask(port, "adult.example", "MX")
        assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert upstream.queries == []


# -- Forwarding and the cache ----------------------------------------------------------


def test_forwarded_and_cached(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("www.example", "A", "192.0.2.1", "192.0.2.2", ttl=300)
    with filtering([upstream.address], document) as (port, flt):
        first = ask(port, "www.example")
        assert addresses(first) == ["192.0.2.1", "192.0.2.2"]
        second = ask(port, "WWW.example", use_edns=0, want_dnssec=False)
        assert addresses(second) == ["192.0.2.1", "192.0.2.2"]
        assert second.question[0].name.labels[0] == b"WWW"  # the client's own question
        assert second.edns == 0
        assert first.edns == -1
        assert ask(port, "www.example", tcp=True).answer == first.answer
        # An unknown name: NXDOMAIN from upstream, kept for the SOA's negative TTL.
        assert ask(port, "nothing.example").rcode() == dns.rcode.NXDOMAIN
        assert ask(port, "nothing.example").rcode() == dns.rcode.NXDOMAIN
        counters = flt.take_counters()
    assert upstream.queries == [("udp", "www.example", "A"), ("udp", "nothing.example", "A")]
    assert sum(n for (_, tier, outcome), n in counters.items() if outcome == "forward") == 5
    assert {tier for (_, tier, _) in counters} == {"primary"}


def test_cached_ttls_count_down_and_expire(
    upstream: FakeUpstream, document: dict[str, Any]
) -> None:
    upstream.add("www.example", "A", "192.0.2.1", ttl=300)
    clock = Clock(1000.0)
    with filtering([upstream.address], document, monotonic=clock) as (port, _):
        assert ask(port, "www.example").answer[0].ttl == 300
        clock.now += 100.5
        assert ask(port, "www.example").answer[0].ttl == 200
        clock.now += 199
        assert ask(port, "www.example").answer[0].ttl == 1
        assert len(upstream.queries) == 1
        clock.now += 1
        assert ask(port, "www.example").answer[0].ttl == 300  # expired: asked again
        assert len(upstream.queries) == 2


def test_allowed_names_are_forwarded(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("ok.games.example", "A", "192.0.2.7")
    with filtering([upstream.address], document) as (port, flt):
        assert addresses(ask(port, "ok.games.example")) == ["192.0.2.7"]
        assert ask(port, "games.example").rcode() == dns.rcode.NXDOMAIN
        assert ask(port, "x.ok.games.example").rcode() == dns.rcode.NXDOMAIN  # deeper deny
        assert ask(port, "ok.bad.example").rcode() == dns.rcode.NXDOMAIN  # authority wins
        outcomes = {outcome for (_, _, outcome) in flt.take_counters()}
    assert outcomes == {"allow", "games", "deny", "authority"}


# -- SafeSearch ------------------------------------------------------------------------


def test_safesearch_rewrites(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("forcesafesearch.google.com", "A", "216.239.38.120", ttl=600)
    upstream.add("restrict.youtube.com", "AAAA", "2001:4860:4802:32::78")
    upstream.add("www.google.com", "A", "142.250.1.1")
    document["networks"].append({"cidr": "127.0.0.2/32", "tier": "staff"})
    with filtering([upstream.address], document) as (port, _):
        response = ask(port, "www.google.com")
        assert [rrset.rdtype for rrset in response.answer] == [
            dns.rdatatype.CNAME,
            dns.rdatatype.A,
        ]
        cname = response.answer[0]
        assert cname.name == dns.name.from_text("www.google.com")
        assert cname[0].target == dns.name.from_text("forcesafesearch.google.com")
        assert addresses(response) == ["216.239.38.120"]
        assert addresses(ask(port, "WWW.GOOGLE.COM")) == ["216.239.38.120"]  # cached
        youtube = ask(port, "www.youtube.com", "AAAA", tcp=True)
        assert youtube.answer[0][0].target == dns.name.from_text("restrict.youtube.com")
        # Staff have no SafeSearch: the real name.
        assert addresses(ask(port, "www.google.com", source="127.0.0.2")) == ["142.250.1.1"]
    assert upstream.queries == [
        ("udp", "forcesafesearch.google.com", "A"),
        ("udp", "restrict.youtube.com", "AAAA"),
        ("udp", "www.google.com", "A"),
    ]


# -- Schedules with a frozen clock ---------------------------------------------------------


def test_schedules_with_a_frozen_clock(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("games.example", "A", "192.0.2.9", ttl=0)
    document["networks"].append({"cidr": "127.0.0.3/32", "tier": "lower_secondary"})
    clock = Clock(MONDAY_MORNING)
    with filtering([upstream.address], document, clock=clock) as (port, _):
        lower = "127.0.0.3"
        assert ask(port, "games.example", source=lower).rcode() == dns.rcode.NXDOMAIN
        assert ask(port, "games.example").rcode() == dns.rcode.NXDOMAIN  # primary: always
        clock.now = MONDAY_LUNCH
        assert addresses(ask(port, "games.example", source=lower)) == ["192.0.2.9"]
        assert ask(port, "games.example").rcode() == dns.rcode.NXDOMAIN
        clock.now = MONDAY_LUNCH + 1.5 * 3600  # 13:30: blocked again
        assert ask(port, "games.example", source=lower).rcode() == dns.rcode.NXDOMAIN


def test_policy_swapped_whole(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("news.example", "A", "192.0.2.3")
    with filtering([upstream.address], document) as (port, flt):
        assert addresses(ask(port, "news.example")) == ["192.0.2.3"]
        document["deny"].append("news.example")
        document["version"] = "v2"
        flt.set_policy(load_policy(document))
        assert ask(port, "news.example").rcode() == dns.rcode.NXDOMAIN
        with pytest.raises(PolicyError):
            flt.set_policy(load_policy(b'{"format": "childsafe-policy/1", "version": "v3"'))
        assert flt.policy is not None and flt.policy.version == "v2"
        assert ask(port, "news.example").rcode() == dns.rcode.NXDOMAIN


# -- Upstream failure ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["silent", "servfail"])
def test_upstream_failure_gives_servfail(
    upstream: FakeUpstream, document: dict[str, Any], mode: str
) -> None:
    upstream.add("www.example", "A", "192.0.2.1")
    upstream.mode = mode
    second = FakeUpstream()
    second.mode = mode
    try:
        with filtering([upstream.address, second.address], document, attempts=2) as (port, _):
            response = ask(port, "www.example")
            assert response.rcode() == dns.rcode.SERVFAIL
            assert not response.answer
            assert ask(port, "adult.example").rcode() == dns.rcode.NXDOMAIN  # still filters
            upstream.mode = "ok"
            assert addresses(ask(port, "www.example")) == ["192.0.2.1"]  # failures not cached
    finally:
        second.close()
    assert len(upstream.queries) == 3 and len(second.queries) == 2


def test_next_upstream_when_one_fails(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    dead = FakeUpstream()
    dead.mode = "silent"
    upstream.add("www.example", "A", "192.0.2.1")
    try:
        with filtering([dead.address, upstream.address], document) as (port, _):
            assert addresses(ask(port, "www.example")) == ["192.0.2.1"]
    finally:
        dead.close()


# -- Large answers: TC over UDP, then TCP ------------------------------------------------------


def test_tcp_fallback_for_large_answers(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    strings = [f'"{i:03d} {"x" * 200}"' for i in range(15)]  # about 3 kB
    upstream.add("big.example", "TXT", *strings)
    with filtering([upstream.address], document) as (port, _):
        over_udp = ask(port, "big.example", "TXT")
        assert over_udp.flags & dns.flags.TC and not over_udp.answer
        over_udp = ask(port, "big.example", "TXT", use_edns=0, payload=4096)
        assert over_udp.flags & dns.flags.TC and not over_udp.answer  # we send 1232 at most
        over_tcp = ask(port, "big.example", "TXT", tcp=True)
        assert not over_tcp.flags & dns.flags.TC
        assert len(over_tcp.answer[0]) == 15
        response, used_tcp = dns.query.udp_with_fallback(
            dns.message.make_query("big.example", "TXT"), "127.0.0.1", port=port, timeout=3
        )
        assert used_tcp and len(response.answer[0]) == 15
    # The upstream truncated it to us over UDP too: we asked again over TCP, once.
    assert upstream.queries == [("udp", "big.example", "TXT"), ("tcp", "big.example", "TXT")]


# -- Bad input ---------------------------------------------------------------------------


def header(qid: int = 0x1234, flags: int = 0x0100, qd: int = 1, an: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, 0, ar)


def rcode_of(answer: bytes | None) -> int | None:
    return None if answer is None else answer[3] & 0xF


def test_bad_packets(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    with filtering([upstream.address], document) as (port, flt):
        assert raw(port, b"\x12\x34\x01", timeout=0.3) is None  # no header: dropped
        assert rcode_of(raw(port, header() + b"\x07example")) == dns.rcode.FORMERR
        assert rcode_of(raw(port, header() + b"\x03com\x00")) == dns.rcode.FORMERR  # no type
        assert rcode_of(raw(port, header(qd=0))) == dns.rcode.FORMERR
        assert raw(port, header(flags=0x8000) + b"\x00\x00\x01\x00\x01", timeout=0.3) is None
        long_name = b"".join(b"\x3f" + b"a" * 63 for _ in range(5)) + b"\x00"  # 321 octets
        answer = raw(port, header() + long_name + b"\x00\x01\x00\x01")
        assert rcode_of(answer) == dns.rcode.FORMERR
        assert rcode_of(raw(port, header() + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01")) == 1
        # Another opcode, another class, a transfer, a meta type, EDNS version 1.
        assert rcode_of(raw(port, header(flags=0x2800) + b"\x00\x00\x06\x00\x01")) == 4
        chaos = dns.message.make_query("version.bind", "TXT", "CH")
        assert ask_message(port, chaos).rcode() == dns.rcode.REFUSED
        assert ask(port, "example", "AXFR").rcode() == dns.rcode.REFUSED
        assert ask(port, "example", "MAILB").rcode() == dns.rcode.NOTIMP
        badvers = ask(port, "www.example", use_edns=1)
        assert badvers.rcode() == dns.rcode.BADVERS
        # An additional record besides OPT (legal, unusual): dnspython's slow path.
        unusual = dns.message.make_query("adult.example", "A", use_edns=0)
        unusual.additional.append(dns.rrset.from_text("x.example.", 60, "IN", "A", "192.0.2.5"))
        answer = raw(port, unusual.to_wire())
        assert rcode_of(answer) == dns.rcode.NXDOMAIN
        # And still answering.
        assert ask(port, "adult.example").rcode() == dns.rcode.NXDOMAIN
    assert flt.problems.get("internal error") is None
    assert flt.problems["malformed packet"] >= 3
    assert flt.problems["name too long"] == 1


def ask_message(port: int, query: dns.message.Message) -> dns.message.Message:
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=3)


def test_rate_limit_per_client(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    with filtering([upstream.address], document, rate=5, burst=20) as (port, flt):
        query = dns.message.make_query("adult.example", "A").to_wire()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            for _ in range(200):
                sock.sendto(query, ("127.0.0.1", port))
            sock.settimeout(0.5)
            answered = 0
            with contextlib.suppress(TimeoutError):
                while True:
                    sock.recv(512)
                    answered += 1
        assert 20 <= answered < 40
        assert flt.problems["rate limited"] >= 160
        # Another client is not held back.
        assert ask(port, "adult.example", source="127.0.0.2").rcode() == dns.rcode.NXDOMAIN


def test_udp_burst_drained_in_batches(
    upstream: FakeUpstream, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # More datagrams than one wakeup reads (``UDP_BATCH``, made small: the kernel keeps
    # only so many), sent before any answer is read: blocked and cached ones answered
    # at once, cache misses after the upstream.
    monkeypatch.setattr("childsafe.dnsfilter.server.UDP_BATCH", 8)
    upstream.add("www.example", "A", "192.0.2.1", ttl=300)
    upstream.add("mail.example", "A", "192.0.2.2", ttl=300)
    with filtering([upstream.address], document, rate=0) as (port, flt):
        assert addresses(ask(port, "www.example")) == ["192.0.2.1"]  # now cached
        names = ["adult.example", "www.example"] * 50 + ["mail.example"]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            for qid, name in enumerate(names):
                query = dns.message.make_query(name, "A", id=qid)
                sock.sendto(query.to_wire(), ("127.0.0.1", port))
            sock.settimeout(3)
            answers: dict[int, dns.message.Message] = {}
            while len(answers) < len(names):
                response = dns.message.from_wire(sock.recv(65535))
                answers[response.id] = response
        for qid, name in enumerate(names):
            response = answers[qid]
            assert response.question[0].name == dns.name.from_text(name)
            if name == "adult.example":
                assert response.rcode() == dns.rcode.NXDOMAIN
            else:
                assert addresses(response) == [
                    "192.0.2.2" if name == "mail.example" else "192.0.2.1"
                ]
    assert upstream.queries == [("udp", "www.example", "A"), ("udp", "mail.example", "A")]
    assert flt.problems == {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # stopped: port closed
        sock.settimeout(0.3)
        sock.connect(("127.0.0.1", port))
        sock.send(dns.message.make_query("adult.example", "A").to_wire())
        with pytest.raises((ConnectionRefusedError, TimeoutError)):
            sock.recv(512)


def mutate(packet: bytes, rng: random.Random) -> bytes:
    data = bytearray(packet)
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(4)
        if kind == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1 and data:
            del data[rng.randrange(len(data)) :]
        elif kind == 2:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    return bytes(data)


def test_fuzz(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    rng = random.Random(20261129)
    upstream.add("www.example", "A", "192.0.2.1")
    seeds = [
        dns.message.make_query(name, rdtype, use_edns=edns).to_wire()
        for name in ("www.example", "adult.example", "www.google.com", "ok.games.example")
        for rdtype in ("A", "AAAA", "TXT")
        for edns in (False, 0)
    ]
    packets = [mutate(rng.choice(seeds), rng) for _ in range(4000)]
    packets += [bytes(rng.randrange(256) for _ in range(rng.randint(0, 600))) for _ in range(1000)]
    with filtering([upstream.address], document, rate=0, timeout=0.05) as (port, flt):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            for i, packet in enumerate(packets):
                sock.sendto(packet, ("127.0.0.1", port))
                if i % 50 == 0:  # drain the answers now and then
                    time.sleep(0.001)
                    with contextlib.suppress(BlockingIOError):
                        while True:
                            sock.recv(65535)
        # Some over TCP, in one connection, as length-prefixed messages.
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            for packet in packets[:300]:
                conn.sendall(struct.pack("!H", len(packet)) + packet)
        # Directly, every packet through the parser: nothing escapes as an exception.
        for packet in packets:
            result = flt.respond(packet, "127.0.0.9", False)
            assert result is None or isinstance(result, bytes) or result.query is not None
        time.sleep(0.3)
        response = ask(port, "www.example")
        assert addresses(response) == ["192.0.2.1"]
        assert ask(port, "adult.example", tcp=True).rcode() == dns.rcode.NXDOMAIN
    assert flt.problems.get("internal error") is None


def test_run_serves_until_cancelled(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    async def main() -> int:
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(
            run(
                [("127.0.0.1", 0)],
                [upstream.address],
                load_policy(document),
                started=started.set_result,
            )
        )
        server = await asyncio.wait_for(started, 5)
        query = dns.message.make_query("adult.example", "A")
        response = await dns.asyncquery.udp(
            query, "127.0.0.1", port=server.addresses[0][1], timeout=3
        )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return response.rcode()

    assert asyncio.run(main()) == dns.rcode.NXDOMAIN
