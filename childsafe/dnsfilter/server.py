"""The filter service: ``Filter`` (one query in, one answer out) and its UDP/TCP transport.

``Filter.respond`` runs on the event loop for every packet and never touches a database:
rate limit per client, parse (``wire.parse``, dnspython only for unusual packets), the
policy's verdict, then a blocked answer built from the query's bytes, a cached answer,
or a ``Pending`` the transport completes with ``Filter.finish`` (upstream, then cache).
An exception anywhere gets SERVFAIL and the service goes on; problems with a client's
packets are logged once a minute per client and kind, never with their content.

Answers:

- malformed packets and names: FORMERR (dropped when not even the header parses, or
  when the packet is a response); other opcodes NOTIMP; classes other than IN, AXFR and
  IXFR REFUSED; meta types (OPT, TSIG, MAILA...) NOTIMP; EDNS version > 0 BADVERS.
- blocked: NXDOMAIN, or in ``blockpage`` mode the page's A / AAAA (other types: NODATA).
- SafeSearch: a CNAME to the provider's safe host, with that host's records from the
  upstream (cached as one answer).
- everything else: the upstream's answer, from the cache when it holds one; SERVFAIL
  when no upstream answers. Over UDP an answer larger than the client's limit (512, or
  its EDNS payload up to 1232) goes out empty with TC set, and the client asks over TCP.
- a client over its rate: dropped.

The answer memo (UDP): an answer ``respond`` gave from the policy and the cache is kept,
keyed by the query packet without its ID, per tier, so the same packet again from a
client of that tier is answered by one dict probe and the ID patched in, without
parsing or deciding (``_Udp.readable``): what makes the filter faster than Unbound on
one core (README, Benchmarks). It never changes an answer:

- per tier, and per policy (a new policy starts an empty memo);
- per minute for tiers with time windows (a rule may start or end at any minute), per
  hour for the others (the counters' hour); never while a query log period runs;
- a cached answer is kept with its cache entry's TTLs and expiry: each second its TTLs
  are lowered in the memo (``_aged``) as the cache would, and it goes when it expires;
- the rate limit is applied first, as for every packet; each hit is counted (a slot in
  an array of hits), and taken memos are counted into the counters and the top blocked
  names a few hundred entries per wakeup, so that taking a memo stalls nothing;
- at most ``MEMO_MAX_ENTRIES`` answers (200,000: about 70 MB): a full memo starts over.

The policy is swapped whole by ``Filter.set_policy`` (one reference assignment, from any
thread). Counters (hour, tier, outcome) -> queries stay in memory for ``take_counters``,
and the blocked names per day in ``top_blocked`` (``stats.TopBlocked``): no client address.
Only while the policy carries a school's logging period (``query_log``) does each decided
query also go to ``querylog.QueryLog`` (on the box, never uploaded); otherwise that costs
one comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import time
from array import array
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from childsafe.dnsfilter import wire
from childsafe.dnsfilter.policy import ALLOWED, BLOCK, FORWARD, SAFESEARCH, TIERS, Policy
from childsafe.dnsfilter.querylog import QueryLog
from childsafe.dnsfilter.stats import TopBlocked
from childsafe.dnsfilter.upstream import Address, Cache, Entry, Resolver
from childsafe.dnsfilter.wire import Query
from childsafe.lib.dnsnet import listen_udp_socket_and_tcp, running_in_thread

log = logging.getLogger(__name__)

BLOCK_TTL = 60
SAFESEARCH_TTL = 300
PROBLEM_LOG_EVERY_SECS = 60.0
UNSUPPORTED_TYPES = frozenset({0, wire.TYPE_OPT, *range(128, 255)})
TRANSFER_TYPES = frozenset({251, 252})  # IXFR, AXFR
# The answer memo: at most this many answers, each a tuple (answer without its ID,
# (tier, outcome, blocked?), its slot in the hits array, valid until (``monotonic``),
# the cache entry's ``Aging`` or None for an answer from the policy alone).
# Tuples of immutable values leave the garbage collector's lists: 200,000 lists would
# make every full collection walk them (tens of milliseconds on the packet path).
MEMO_MAX_ENTRIES = 200_000
MEMO_FOREVER = float("inf")
FOLD_PER_BATCH = 256  # taken memo entries counted per UDP wakeup
# (stored, expires, TTL offsets, TTLs) of the cache entry a memo entry's answer came from.
Aging = tuple[float, float, tuple[int, ...], tuple[int, ...]]
MemoEntry = tuple[bytes, tuple[str, str, bool], int, float, Aging | None]


def _hits_array() -> array[int]:
    return array("Q", bytes(8 * MEMO_MAX_ENTRIES))


def _aged(entry: MemoEntry, now: float) -> MemoEntry:
    """A memo entry of a cached answer whose TTLs are a second or more old: its answer
    with the TTLs its cache entry has at ``now`` (``monotonic``), valid for the second."""
    tail, counter, slot, _, aging = entry
    assert aging is not None
    stored, expires, offsets, ttls = aging
    age = int(now - stored)
    answer = bytearray(tail)
    pack_into = wire.TTL.pack_into
    for offset, ttl in zip(offsets, ttls, strict=True):
        pack_into(answer, offset - 2, ttl - age if ttl > age else 0)  # the tail has no ID
    return bytes(answer), counter, slot, min(expires, stored + age + 1), aging


class Throttle:
    """Say yes once per ``every_secs`` for each key (logging per client and kind)."""

    def __init__(self, every_secs: float = PROBLEM_LOG_EVERY_SECS) -> None:
        self.every_secs = every_secs
        self.last: dict[tuple[str, str], float] = {}

    def __call__(self, key: tuple[str, str]) -> bool:
        now = time.monotonic()
        if now - self.last.get(key, -self.every_secs) < self.every_secs:
            return False
        if len(self.last) > 10_000:
            self.last.clear()
        self.last[key] = now
        return True


class RateLimiter:
    """A token bucket per client: ``rate`` queries a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: float, max_clients: int = 100_000) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.max_clients = max_clients
        self.buckets: dict[str, list[float]] = {}

    def allow(self, client: str, now: float) -> bool:
        if self.rate <= 0:
            return True
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) >= self.max_clients:
                self.buckets.clear()
            self.buckets[client] = [self.burst - 1, now]
            return True
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens < 1:
            bucket[0] = tokens
            return False
        bucket[0] = tokens - 1
        return True


@dataclass(slots=True)
class Pending:
    """A query that needs the upstream: the transport awaits ``Filter.finish``."""

    query: Query
    target: str  # SafeSearch: the safe host; "" to forward
    key: bytes  # the cache key of the answer to give


class _State:
    """One policy and what the hot path derives from it; replaced whole."""

    def __init__(self, policy: Policy, *, has_query_log: bool = False) -> None:
        self.policy = policy
        # The query log's end (epoch seconds); 0: off (the policy has no period).
        self.log_until = (policy.query_log_until or 0.0) if has_query_log else 0.0
        self.nxdomain = policy.block_mode == "nxdomain"
        self.records: dict[int, bytes] = {}
        for address in (policy.block_ipv4, policy.block_ipv6):
            if address:
                rtype, record = wire.address_record(address, BLOCK_TTL)
                self.records[rtype] = record
        self.tiers: dict[str, str] = {}
        self.masks: dict[str, tuple[int, int]] = {}  # tier -> (minute, active mask)
        # The answer memo (see the module's docstring): tier -> packet without its ID ->
        # MemoEntry, and client -> its tier's memo. ``memo_minute`` is the minute of
        # ``clock`` it was last checked for: each minute the tiers in ``timed`` start a
        # new memo, each hour all of them.
        self.memos: dict[str, dict[bytes, MemoEntry]] = {t: {} for t in TIERS}
        self.client_memos: dict[str, dict[bytes, MemoEntry]] = {}
        self.memo_size = 0  # entries in ``memos``
        self.memo_minute = -1
        # Hits not yet counted, by the entries' slots; slots are not used twice until
        # the whole memo is taken with its array (``take_all``).
        self.memo_hits = _hits_array()
        self.memo_next = 0
        # The tiers whose rules have time windows: their answers may change any minute;
        # the others' only with the policy (their memo is kept for the hour).
        self.timed = tuple(tier for tier in TIERS if policy.scheduled.get(tier))

    def take_all(self) -> tuple[list[dict[bytes, MemoEntry]], array[int]]:
        """The whole memo and its hits, replaced by empty ones."""
        taken, hits = self.take_memos(), self.memo_hits
        self.memo_hits = _hits_array()
        self.memo_next = 0
        return taken, hits

    def take_memos(self, tiers: Iterable[str] = TIERS) -> list[dict[bytes, MemoEntry]]:
        """The memo's dicts of ``tiers``, replaced by empty ones (their hits stay in
        ``memo_hits`` for the caller to count)."""
        taken = []
        for tier in tiers:
            memo = self.memos[tier]
            if memo:
                taken.append(memo)
                self.memo_size -= len(memo)
                self.memos[tier] = {}
        if taken:
            self.client_memos = {c: self.memos[t] for c, t in self.tiers.items()}
        return taken

    def tier(self, client: str) -> str:
        tier = self.tiers.get(client)
        if tier is None:
            if len(self.tiers) > 65_536:
                self.tiers.clear()
                self.client_memos.clear()
            tier = self.tiers[client] = self.policy.tier_for(client)
            self.client_memos[client] = self.memos[tier]
        return tier

    def mask(self, tier: str, now: float) -> int:
        minute = int(now // 60)
        cached = self.masks.get(tier)
        if cached is not None and cached[0] == minute:
            return cached[1]
        mask = self.policy.active_mask(tier, datetime.fromtimestamp(minute * 60, UTC))
        self.masks[tier] = (minute, mask)
        return mask

    def blocked(self, query: Query) -> bytes:
        if self.nxdomain:
            return wire.answer(query, wire.NXDOMAIN)
        record = self.records.get(query.qtype)
        if record is None:
            return wire.answer(query, wire.NOERROR)  # NODATA
        return wire.answer(query, wire.NOERROR, record, 1)


class Filter:
    def __init__(
        self,
        resolver: Resolver,
        policy: Policy | None = None,
        *,
        rate: float = 1000.0,
        burst: float = 2000.0,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        query_log: QueryLog | None = None,
    ) -> None:
        self.resolver = resolver
        self.query_log = query_log  # per-device log, only during a school's period
        self.cache: Cache = resolver.cache
        self.clock = clock
        self.monotonic = monotonic
        self.limiter = RateLimiter(rate, burst)
        self.throttle = Throttle()
        self.counters: dict[tuple[int, str, str], int] = {}
        self.top_blocked = TopBlocked()  # (day, blocked name) -> blocks; never who asked
        self.problems: dict[str, int] = {}
        # NOTIFY (opcode 4) packets go here when set: the answer to send, or None to drop.
        self.on_notify: Callable[[bytes, str], bytes | None] | None = None
        self._state: _State | None = None
        # What ``_respond`` says the memo may keep of the answer it gave: ((tier,
        # outcome, blocked?), valid until (``monotonic``), aging or None), or None.
        self._memo: tuple[tuple[str, str, bool], float, Aging | None] | None = None
        self._counters: dict[tuple[str, str, bool], tuple[str, str, bool]] = {}
        self._memo_state: _State | None = None  # the policy ``_respond`` last used
        self._retired: list[_State] = []
        # Memos taken (a new minute, full, a new policy) whose hits are still to count:
        # (hour, day, their entries).
        self._folding: deque[tuple[int, int, Iterator[tuple[bytes, MemoEntry]], array[int]]] = (
            deque()
        )
        if policy is not None:
            self.set_policy(policy)

    # -- Policy and counters ---------------------------------------------------------

    @property
    def policy(self) -> Policy | None:
        state = self._state
        return state.policy if state is not None else None

    def set_policy(self, policy: Policy) -> None:
        """Swap the policy whole (atomic: one reference; callable from any thread)."""
        if self.query_log is not None:
            self.query_log.use_policy(policy)
        old, self._state = self._state, _State(policy, has_query_log=self.query_log is not None)
        if old is not None:
            self._retired.append(old)  # its memo's hits are counted on the loop's thread
        log.info("dnsfilter: policy %s in force (%s)", policy.version, policy.sizes)

    def take_counters(self) -> dict[tuple[int, str, str], int]:
        """The counters so far, (hour since the epoch, tier, outcome) -> queries; reset.
        Call it on the event loop's thread (it folds in the memo's hits)."""
        self.fold_retired()
        state = self._state
        if state is not None and state.memo_size:
            # The live memo's entries too (their hits go back to 0; they stay).
            entries = chain.from_iterable(m.items() for m in state.memos.values())
            minute = state.memo_minute
            self._folding.append((minute // 60, minute // 1440, entries, state.memo_hits))
        self.fold()
        counters, self.counters = self.counters, {}
        return counters

    def _problem(self, client: str, kind: str) -> None:
        self.problems[kind] = self.problems.get(kind, 0) + 1
        if self.throttle((client, kind)):
            log.warning("dnsfilter: %s from %s", kind, client)

    # -- The answer memo ---------------------------------------------------------------

    def _unfolded(self, state: _State, tiers: Iterable[str] | None = None) -> None:
        """Take the state's memo (all of it, or of ``tiers``); its hits are counted a
        little at a time (``fold``)."""
        if tiers is None:
            taken, hits = state.take_all()
        else:
            taken, hits = state.take_memos(tiers), state.memo_hits
        if taken:
            minute = state.memo_minute
            entries = chain.from_iterable(m.items() for m in taken)
            self._folding.append((minute // 60, minute // 1440, entries, hits))

    def fold(self, limit: int | None = None) -> None:
        """Add the hits of up to ``limit`` (None: all) taken memo entries to the counters
        and the top blocked names (on the event loop's thread)."""
        counters = self.counters
        add_blocked = self.top_blocked.add
        while self._folding:
            hour, day, entries, slots = self._folding[0]
            done = 0
            for key, entry in islice(entries, limit):
                done += 1
                _, (tier, outcome, blocked), slot, _, _ = entry
                hits = slots[slot]
                if hits:
                    counter = (hour, tier, outcome)
                    counters[counter] = counters.get(counter, 0) + hits
                    if blocked:
                        add_blocked(day, wire.key_name(key), hits)
                    slots[slot] = 0
            if limit is not None:
                limit -= done
                if limit <= 0:
                    return  # perhaps more in this one: the next call goes on
            self._folding.popleft()

    def _counter(self, tier: str, outcome: str, blocked: bool) -> tuple[str, str, bool]:
        """One shared tuple per counter for the memo's entries (not one per entry)."""
        key = (tier, outcome, blocked)
        return self._counters.setdefault(key, key)

    def fold_retired(self) -> None:
        """Take the memos of policies replaced since the last call (on the loop's thread)."""
        while self._retired:
            self._unfolded(self._retired.pop())

    def roll_memo(self, state: _State, now: float) -> None:
        """Start the memo of the minute holding ``now`` (``clock`` time) if it is not it."""
        minute = int(now // 60)
        if minute != state.memo_minute:
            if minute // 60 != state.memo_minute // 60:
                self._unfolded(state)  # a new hour: the counters' hour changes
            elif state.timed:
                self._unfolded(state, state.timed)
            state.memo_minute = minute

    # -- One query -------------------------------------------------------------------

    def respond(self, data: bytes, client: str, over_tcp: bool) -> bytes | Pending | None:
        """The answer now, a ``Pending`` to complete with ``finish``, or None to drop."""
        if not self.limiter.allow(client, self.monotonic()):
            self._problem(client, "rate limited")
            return None
        return self.respond_allowed(data, client, over_tcp)

    def respond_allowed(self, data: bytes, client: str, over_tcp: bool) -> bytes | Pending | None:
        """``respond`` once the client's rate limit let the packet through."""
        try:
            query = wire.parse(data)
            if query is None:
                if self.on_notify is not None and len(data) >= 12 and data[2] & 0xF8 == 0x20:
                    return self.on_notify(data, client)  # QR clear, opcode NOTIFY
                query, reply, problem = wire.parse_unusual(data)
                if query is None:
                    if problem:
                        self._problem(client, problem)
                    return reply
                # Brought to the common shape: the memo is keyed by the packet as sent.
                return self._respond(query, client, over_tcp)
            self._memo = None
            answer = self._respond(query, client, over_tcp)
            memo = self._memo
            if memo is not None and not over_tcp and type(answer) is bytes:
                # The policy ``_respond`` decided with: another thread may have put a
                # new one in force since, whose memo must not get this answer.
                state = self._memo_state
                if state is not None:
                    key = data[2:]
                    tier_memo = state.memos[memo[0][0]]
                    old = tier_memo.get(key)
                    if old is not None:
                        slot = old[2]  # a new TTL second: same slot, same hits
                    else:
                        if state.memo_next >= len(state.memo_hits):
                            self._unfolded(state)  # full: start over
                            tier_memo = state.memos[memo[0][0]]
                        slot = state.memo_next
                        state.memo_next += 1
                        state.memo_size += 1
                    tier_memo[key] = (answer[2:], memo[0], slot, memo[1], memo[2])
            return answer
        except Exception:
            self.problems["internal error"] = self.problems.get("internal error", 0) + 1
            if self.throttle((client, "internal error")):
                log.exception("dnsfilter: internal error answering %s", client)
            return wire.header_error(data, wire.SERVFAIL) if len(data) >= 12 else None

    def _respond(self, query: Query, client: str, over_tcp: bool) -> bytes | Pending:
        if query.edns_version:
            self._problem(client, "EDNS version")
            return wire.answer(query, wire.BADVERS)
        if query.qclass != wire.CLASS_IN:
            self._problem(client, "class")
            return wire.answer(query, wire.REFUSED)
        qtype = query.qtype
        if qtype in UNSUPPORTED_TYPES:
            if qtype in TRANSFER_TYPES:
                return wire.answer(query, wire.REFUSED)
            self._problem(client, "type")
            return wire.answer(query, wire.NOTIMP)
        state = self._memo_state = self._state
        if state is None:
            self._problem(client, "no policy loaded")
            return wire.answer(query, wire.SERVFAIL)
        now = self.clock()
        if int(now // 60) != state.memo_minute:
            self.roll_memo(state, now)
        tier = state.tier(client)
        verdict = state.policy.decide_for(query.name, tier, state.mask(tier, now))
        outcome = verdict.reason or verdict.action
        counter = (int(now // 3600), tier, outcome)
        self.counters[counter] = self.counters.get(counter, 0) + 1
        logging_now = now < state.log_until and self.query_log is not None
        if logging_now:
            assert self.query_log is not None
            self.query_log.add(now, client, query.name, qtype, outcome)
        action = verdict.action
        if action == BLOCK:
            self.top_blocked.add(int(now // 86400), query.name)
            if not logging_now:
                self._memo = (self._counter(tier, outcome, True), MEMO_FOREVER, None)
            return state.blocked(query)
        if action == SAFESEARCH:
            key = b"S" + verdict.target.encode() + b"\x00" + query.key
            pending = Pending(query, verdict.target, key)
        else:
            assert action in (ALLOWED, FORWARD)
            key = query.key
            pending = Pending(query, "", key)
        mono = self.monotonic()
        entry = self.cache.get(key, mono)
        if entry is None:
            return pending
        answer = self._give(entry, query, over_tcp)
        if not logging_now:
            # Until the entry's TTLs next drop by a second, then aged in the memo (same
            # layout as the entry's body: the client's question has the upstream's
            # length) until it expires; a truncated answer has no TTLs to age.
            age = int(mono - entry.stored)
            valid = min(entry.expires, entry.stored + age + 1)
            scanned = entry.scanned
            aging = (
                (entry.stored, entry.expires, scanned.ttl_offsets, scanned.ttls)
                if len(answer) > 12 and not answer[2] & 0x02
                else None
            )
            self._memo = (self._counter(tier, outcome, False), valid, aging)
        return answer

    def _give(self, entry: Entry, query: Query, over_tcp: bool) -> bytes:
        answer = entry.answer(query, self.monotonic())
        if not over_tcp and len(answer) > query.udp_limit:
            return wire.truncated(query)
        return answer

    async def finish(self, pending: Pending, client: str, over_tcp: bool) -> bytes:
        query = pending.query
        try:
            if pending.target:
                entry = await self._safesearch(pending)
            else:
                entry = await self.resolver.resolve(pending.key)
            if entry is None:
                self._problem(client, "no upstream answered")
                return wire.answer(query, wire.SERVFAIL)
            return self._give(entry, query, over_tcp)
        except Exception:
            self.problems["internal error"] = self.problems.get("internal error", 0) + 1
            if self.throttle((client, "internal error")):
                log.exception("dnsfilter: internal error answering %s", client)
            return wire.answer(query, wire.SERVFAIL)

    async def _safesearch(self, pending: Pending) -> Entry | None:
        query = pending.query
        target = dns.name.from_text(pending.target)
        target_wire = target.to_wire()
        assert target_wire is not None
        key = target_wire + query.key[-5:]  # the safe host, same type, class, bits
        entry = self.cache.get(key, self.monotonic())
        if entry is None:
            entry = await self.resolver.resolve(key)
            if entry is None:
                return None
        upstream = dns.message.from_wire(entry.body(self.monotonic()))
        request = dns.message.from_wire(wire.HEADER.pack(0, wire.RD, 1, 0, 0, 0) + query.key[:-1])
        response = dns.message.make_response(request)
        response.flags |= wire.RA
        response.set_rcode(upstream.rcode())
        response.answer.append(
            dns.rrset.from_text(
                request.question[0].name,
                SAFESEARCH_TTL,
                dns.rdataclass.IN,
                dns.rdatatype.CNAME,
                target.to_text(),
            )
        )
        response.answer.extend(upstream.answer)
        response.authority.extend(upstream.authority)
        return self.cache.put(pending.key, wire.scan(response.to_wire()))


# -- Transport -------------------------------------------------------------------------


UDP_BATCH = 256  # datagrams read per wakeup before the loop runs anything else
UDP_MAX = 65535  # the largest datagram read (asyncio's transport asks for 256 KiB)


class _Udp:
    """The UDP socket, read by the server itself: one ``loop.add_reader`` callback drains
    up to ``UDP_BATCH`` datagrams per wakeup and answers at once, with a plain
    ``sendto``, everything ``Filter.respond`` answers at once (blocked, cached, errors);
    only cache misses become tasks. No transport, no protocol call, no future per
    packet: asyncio's datagram path costs more than the answer itself."""

    def __init__(self, server: FilterServer, sock: socket.socket) -> None:
        self.server = server
        self.filter = server.filter
        self.sock = sock
        self.closed = False

    def readable(self) -> None:
        filter = self.filter
        if filter._retired:
            filter.fold_retired()
        if filter._folding:
            filter.fold(FOLD_PER_BATCH)
        state = filter._state
        clock = filter.clock
        if state is not None:
            now = clock()
            if int(now // 60) != state.memo_minute:
                filter.roll_memo(state, now)
        monotonic = filter.monotonic
        aged = _aged
        allow = filter.limiter.allow
        recvfrom = self.sock.recvfrom
        sendto = self.sock.sendto
        respond = filter.respond_allowed
        spawn = self.server.spawn
        later = self._later
        for _ in range(UDP_BATCH):
            try:
                data, addr = recvfrom(UDP_MAX)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error reported on the socket: read on
                continue
            client = addr[0]
            mono = monotonic()
            if not allow(client, mono):
                filter._problem(client, "rate limited")
                continue
            # The memo: the same packet (but its ID) from a client of the same tier in
            # this minute and policy gets the same answer, counted, without parsing or
            # deciding. The policy is looked up per packet: another thread may swap it.
            state = filter._state
            memo = state.client_memos.get(client) if state is not None else None
            if memo is not None:
                key = data[2:]
                hit = memo.get(key)
                if hit is not None:
                    if int(clock() // 60) != state.memo_minute:  # type: ignore[union-attr]
                        hit = None  # a new minute: the slow path starts its memo
                    elif hit[3] <= mono:
                        aging = hit[4]
                        if aging is None or aging[1] <= mono:
                            hit = None  # expired: the slow path asks the cache again
                        else:
                            hit = memo[key] = aged(hit, mono)
                if hit is not None:
                    state.memo_hits[hit[2]] += 1  # type: ignore[union-attr]
                    try:
                        sendto(data[:2] + hit[0], addr)
                    except OSError:
                        self._unsent(addr)
                    continue
            result = respond(data, client, False)
            if result is None:
                continue
            if isinstance(result, bytes):
                try:
                    sendto(result, addr)
                except OSError:  # buffer full or the client gone: UDP, it asks again
                    self._unsent(addr)
            else:
                spawn(later(result, addr))

    def _unsent(self, addr: tuple[str, int]) -> None:
        self.filter._problem(addr[0], "UDP answer not sent")

    async def _later(self, pending: Pending, addr: tuple[str, int]) -> None:
        answer = await self.filter.finish(pending, addr[0], False)
        if self.closed:
            return
        try:
            self.sock.sendto(answer, addr)
        except OSError:
            self._unsent(addr)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().remove_reader(self.sock)
            self.sock.close()


class FilterServer:
    def __init__(
        self,
        filter: Filter,
        listen: Sequence[Address],
        *,
        tcp_idle_secs: float = 10.0,
        max_tcp_clients: int = 256,
        max_pending: int = 10_000,
    ) -> None:
        self.filter = filter
        self.listen = list(listen)
        self.tcp_idle_secs = tcp_idle_secs
        self.max_tcp_clients = max_tcp_clients
        self.max_pending = max_pending
        self.addresses: list[Address] = []
        self._udp: list[_Udp] = []
        self._tcp: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._tcp_clients = 0

    async def start(self) -> None:
        for host, port in self.listen:
            self.addresses.append(await self._listen(host, port))
        log.info(
            "dnsfilter listening on %s (UDP and TCP)",
            ", ".join(f"{h}:{p}" for h, p in self.addresses),
        )

    async def _listen(self, host: str, port: int) -> Address:
        sock, tcp, bound = await listen_udp_socket_and_tcp(host, port, self._tcp_client)
        udp = _Udp(self, sock)
        asyncio.get_running_loop().add_reader(sock, udp.readable)
        self._udp.append(udp)
        self._tcp.append(tcp)
        return host, bound

    async def stop(self) -> None:
        for tcp in self._tcp:
            tcp.close()
        for udp in self._udp:
            udp.close()
        for task in list(self._tasks):
            task.cancel()
        self.filter.resolver.close()
        for tcp in self._tcp:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tcp.wait_closed(), 2)
        log.info("dnsfilter stopped")

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        if len(self._tasks) >= self.max_pending:
            self.filter._problem("*", "too many queries waiting for the upstream")
            coroutine.close()
            return
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tcp_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "?"
        if self._tcp_clients >= self.max_tcp_clients:
            self.filter._problem(client, "too many TCP clients")
            writer.close()
            return
        self._tcp_clients += 1
        idle = self.tcp_idle_secs
        try:
            while True:
                try:
                    prefix = await asyncio.wait_for(reader.readexactly(2), idle)
                    (length,) = struct.unpack("!H", prefix)
                    data = await asyncio.wait_for(reader.readexactly(length), idle)
                except (asyncio.IncompleteReadError, TimeoutError):
                    return
                result = self.filter.respond(data, client, True)
                if result is None:
                    continue
                if not isinstance(result, bytes):
                    result = await self.filter.finish(result, client, True)
                writer.write(struct.pack("!H", len(result)) + result)
                await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        except Exception:
            self.filter._problem(client, "TCP error")
        finally:
            self._tcp_clients -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def run(
    listen: Sequence[Address],
    upstreams: Sequence[Address],
    policy: Policy | None = None,
    *,
    filter: Filter | None = None,
    started: Callable[[FilterServer], None] | None = None,
) -> None:
    """Serve until cancelled (the command's core). ``started`` gets the running server,
    whose ``filter.set_policy`` takes new policies."""
    server = FilterServer(filter or Filter(Resolver(upstreams), policy), listen)
    await server.start()
    try:
        if started is not None:
            started(server)
        await asyncio.Event().wait()
    finally:
        await server.stop()


@contextlib.contextmanager
def serve_in_thread(
    filter: Filter, listen: Sequence[Address] = (("127.0.0.1", 0),)
) -> Iterator[FilterServer]:
    """Run a filter server on its own event loop in a thread (tests, benchmarks)."""
    with running_in_thread(FilterServer(filter, listen), "dnsfilter") as server:
        yield server
