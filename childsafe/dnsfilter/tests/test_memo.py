"""The answer memo of the UDP path (``server.Filter``): a packet seen before (but its ID)
from a client of the same tier, in the same minute, gets the same answer without being
parsed or decided again; still counted, still rate limited, never across tiers, policies,
minutes or TTL seconds, and never while a query log period runs."""

from __future__ import annotations

import socket
from typing import Any

import dns.message
import dns.rcode
import pytest

from childsafe.dnsfilter import server
from childsafe.dnsfilter.policy import load_policy
from childsafe.dnsfilter.querylog import QueryLog
from childsafe.dnsfilter.tests.conftest import FakeUpstream
from childsafe.dnsfilter.tests.test_server import (
    MONDAY_LUNCH,
    MONDAY_MORNING,
    Clock,
    addresses,
    filtering,
)
from childsafe.dnsfilter.upstream import Resolver


def send(port: int, packet: bytes, source: str = "127.0.0.1") -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(1.0)
        sock.sendto(packet, ("127.0.0.1", port))
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


def packet(name: str, qid: int, rdtype: str = "A") -> bytes:
    query = dns.message.make_query(name, rdtype, use_edns=False)
    query.id = qid
    return query.to_wire()


def memo_entries(flt: server.Filter) -> int:
    state = flt._state
    assert state is not None
    return sum(len(memo) for memo in state.memos.values())


def test_repeats_answered_from_the_memo_and_counted(
    upstream: FakeUpstream, document: dict[str, Any]
) -> None:
    upstream.add("news.example", "A", "192.0.2.3")
    with filtering([upstream.address], document, timeout=2.0) as (port, flt):
        blocked = [send(port, packet("Adult.Example", qid)) for qid in (1, 2, 3, 4, 5)]
        assert all(a is not None for a in blocked)
        assert [a[:2] for a in blocked if a] == [bytes((0, q)) for q in (1, 2, 3, 4, 5)]
        assert len({a[2:] for a in blocked if a}) == 1  # the same answer but the ID
        assert dns.message.from_wire(blocked[-1] or b"").rcode() == dns.rcode.NXDOMAIN
        assert b"\x05Adult\x07Example" in (blocked[-1] or b"")  # the question as asked
        forwarded = [send(port, packet("news.example", qid)) for qid in (7, 8, 9)]
        assert all(addresses(dns.message.from_wire(a or b"")) == ["192.0.2.3"] for a in forwarded)
        assert memo_entries(flt) == 2
        counters = flt.take_counters()
        top = flt.top_blocked.take()
    assert sum(n for (_, tier, outcome), n in counters.items() if outcome == "adult") == 5
    assert sum(n for (_, _, outcome), n in counters.items() if outcome == "forward") == 3
    assert list(top.values()) == [5]
    assert [name for (_, name) in top] == ["adult.example"]
    assert len(upstream.queries) == 1


def test_counts_exact_after_the_memo_is_taken(
    upstream: FakeUpstream, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full memo starts over; the hits of the taken one are still counted."""
    monkeypatch.setattr(server, "MEMO_MAX_ENTRIES", 3)
    names = ["adult.example", "casino.example", "gore.example", "harm.example", "drugs.example"]
    with filtering([upstream.address], document, timeout=2.0) as (port, flt):
        qid = 0
        for _ in range(4):
            for name in names:
                qid += 1
                assert send(port, packet(name, qid)) is not None
        assert memo_entries(flt) <= 3
        counters = flt.take_counters()
        top = flt.top_blocked.take()
    assert sum(counters.values()) == 20
    assert sorted(top.values()) == [4] * 5


def test_memo_never_crosses_tiers(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("casino.example", "A", "192.0.2.5")
    document["networks"].append({"cidr": "127.0.0.2/32", "tier": "staff"})
    with filtering([upstream.address], document, timeout=2.0) as (port, _):
        for qid in (1, 2):
            primary = dns.message.from_wire(send(port, packet("casino.example", qid)) or b"")
            assert primary.rcode() == dns.rcode.NXDOMAIN
            staff = send(port, packet("casino.example", qid), source="127.0.0.2")
            assert addresses(dns.message.from_wire(staff or b"")) == ["192.0.2.5"]


def test_new_policy_new_memo(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("news.example", "A", "192.0.2.3")
    with filtering([upstream.address], document, timeout=2.0) as (port, flt):
        for qid in (1, 2):
            answer = dns.message.from_wire(send(port, packet("news.example", qid)) or b"")
            assert addresses(answer) == ["192.0.2.3"]
        document["deny"].append("news.example")
        document["version"] = "v2"
        flt.set_policy(load_policy(document))
        for qid in (3, 4):
            answer = dns.message.from_wire(send(port, packet("news.example", qid)) or b"")
            assert answer.rcode() == dns.rcode.NXDOMAIN
        counters = flt.take_counters()
    assert sum(n for (_, _, o), n in counters.items() if o == "forward") == 2
    assert sum(n for (_, _, o), n in counters.items() if o == "deny") == 2


def test_memo_follows_schedules(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("games.example", "A", "192.0.2.9")
    document["networks"].append({"cidr": "127.0.0.3/32", "tier": "lower_secondary"})
    clock = Clock(MONDAY_MORNING)
    lower = "127.0.0.3"
    with filtering([upstream.address], document, clock=clock, timeout=2.0) as (port, flt):
        for qid in (1, 2):
            answer = send(port, packet("games.example", qid), source=lower)
            assert dns.message.from_wire(answer or b"").rcode() == dns.rcode.NXDOMAIN
        clock.now = MONDAY_LUNCH  # a new minute, outside the lesson windows
        for qid in (3, 4):
            answer = send(port, packet("games.example", qid), source=lower)
            assert addresses(dns.message.from_wire(answer or b"")) == ["192.0.2.9"]
        clock.now = MONDAY_MORNING + 30  # back in the morning's minute: blocked again
        answer = send(port, packet("games.example", 5), source=lower)
        assert dns.message.from_wire(answer or b"").rcode() == dns.rcode.NXDOMAIN
        counters = flt.take_counters()
    morning, lunch = int(MONDAY_MORNING // 3600), int(MONDAY_LUNCH // 3600)
    assert counters[(morning, "lower_secondary", "games")] == 3
    assert counters[(lunch, "lower_secondary", "forward")] == 2


def test_memo_ages_ttls_by_the_second(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    upstream.add("news.example", "A", "192.0.2.3", ttl=300)
    clock = Clock(5000.0)
    with filtering([upstream.address], document, monotonic=clock, timeout=2.0) as (port, _):
        ttls = []
        for qid, advance in ((1, 0.0), (2, 0.2), (3, 0.3), (4, 1.0), (5, 10.0)):
            clock.now += advance
            answer = dns.message.from_wire(send(port, packet("news.example", qid)) or b"")
            ttls.append(answer.answer[0].ttl)
    assert ttls == [300, 300, 300, 299, 289]
    assert len(upstream.queries) == 1


def test_memo_keeps_the_rate_limit(upstream: FakeUpstream, document: dict[str, Any]) -> None:
    with filtering([upstream.address], document, rate=0.001, burst=3, timeout=2.0) as (port, flt):
        answers = [send(port, packet("adult.example", qid)) for qid in range(1, 6)]
    assert [a is not None for a in answers] == [True, True, True, False, False]
    assert flt.problems["rate limited"] == 2


def test_no_memo_while_a_query_log_runs(
    upstream: FakeUpstream, document: dict[str, Any], tmp_path: Any
) -> None:
    document["query_log"] = {"until": "2099-01-01T00:00:00+00:00", "period_id": 3}
    log = QueryLog(tmp_path)
    with filtering([upstream.address], document, query_log=log, timeout=2.0) as (port, flt):
        for qid in (1, 2, 3):
            assert send(port, packet("adult.example", qid)) is not None
        assert memo_entries(flt) == 0
        log.flush()
    lines = [
        line
        for path in tmp_path.iterdir()
        if path.is_file()
        for line in path.read_text().splitlines()
        if "adult.example" in line
    ]
    assert len(lines) == 3


def test_untimed_tiers_keep_their_memo_for_the_hour(
    upstream: FakeUpstream, document: dict[str, Any]
) -> None:
    """Staff have no time windows: minutes go by without a new memo; a new hour takes it,
    and each hit is counted in its hour."""
    document["networks"].append({"cidr": "127.0.0.2/32", "tier": "staff"})
    clock = Clock(MONDAY_MORNING)
    staff = "127.0.0.2"
    with filtering([upstream.address], document, clock=clock, timeout=2.0) as (port, flt):
        assert send(port, packet("malware.example", 1), source=staff) is not None
        state = flt._state
        assert state is not None
        staff_memo = state.memos["staff"]
        assert len(staff_memo) == 1
        clock.now += 120  # 09:02
        assert send(port, packet("malware.example", 2), source=staff) is not None
        assert state.memos["staff"] is staff_memo  # not taken at the new minute
        assert len(staff_memo) == 1
        clock.now += 3600  # 10:02: a new hour
        assert send(port, packet("malware.example", 3), source=staff) is not None
        counters = flt.take_counters()
    nine, ten = int(MONDAY_MORNING // 3600), int(MONDAY_MORNING // 3600) + 1
    assert counters == {(nine, "staff", "malware"): 2, (ten, "staff", "malware"): 1}


def test_memo_ages_ttls_with_edns_and_keeps_our_opt(
    upstream: FakeUpstream, document: dict[str, Any]
) -> None:
    upstream.add("news.example", "AAAA", "2001:db8::3", "2001:db8::4", ttl=120)
    clock = Clock(7000.0)
    with filtering([upstream.address], document, monotonic=clock, timeout=2.0) as (port, _):
        answers = []
        for qid, advance in ((1, 0.0), (2, 0.5), (3, 2.0), (4, 30.0)):
            clock.now += advance
            query = dns.message.make_query("news.example", "AAAA", use_edns=0, want_dnssec=True)
            query.id = qid
            answers.append(dns.message.from_wire(send(port, query.to_wire()) or b""))
    assert [a.answer[0].ttl for a in answers] == [120, 120, 118, 88]
    assert all(a.edns == 0 and a.payload == 1232 and a.ednsflags & 0x8000 for a in answers)
    assert all(len(a.answer[0]) == 2 for a in answers)
    assert len(upstream.queries) == 1


def test_an_answer_decided_under_the_old_policy_stays_out_of_the_new_memo(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync thread may put a new policy in force between the decision and the memo."""
    flt = server.Filter(Resolver([("127.0.0.1", 9)]), load_policy(document))
    document["version"] = "v2"
    document["allow"].append("adult.example")
    newer = load_policy(document)
    decide = flt._respond

    def decide_then_swap(*args: Any) -> Any:
        answer = decide(*args)
        flt.set_policy(newer)  # as PolicySync does from its thread
        return answer

    monkeypatch.setattr(flt, "_respond", decide_then_swap)
    first = flt.respond(packet("adult.example", 1), "127.0.0.1", False)
    assert isinstance(first, bytes)
    assert dns.message.from_wire(first).rcode() == dns.rcode.NXDOMAIN  # the old policy
    state = flt._state
    assert state is not None and state.policy is newer
    assert memo_entries(flt) == 0  # not in the new policy's memo
