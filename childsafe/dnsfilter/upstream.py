"""Forwarding to the configured upstream resolvers, and the answer cache.

``Resolver.resolve(key)`` asks the upstreams in turn over UDP (a timeout per try, the
whole list ``attempts`` times), again over TCP when an answer comes back truncated, and
gives up with None: the transport then answers SERVFAIL, never anything unfiltered from
elsewhere. An upstream's SERVFAIL, REFUSED, NOTIMP or FORMERR counts as a failure (the
next one is tried). Concurrent queries for the same key share one upstream exchange.

The cache is keyed by the question (name lowered, type, class) plus the DO and CD bits,
and holds the upstream answer's bytes without OPT, with where each TTL sits: a hit is
served with the ID, the client's question and flags patched in and every TTL lowered by
the entry's age (recomputed at most once a second), and never after it expires. Positive
answers live for their smallest TTL, negative ones (NXDOMAIN, NODATA) for the SOA's
``min(TTL, minimum)`` (RFC 2308), answers without that are not kept; all at most
``max_ttl``. Past ``max_entries`` the oldest entries go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import struct
import time
from collections.abc import Callable, Sequence
from typing import cast

from childsafe.dnsfilter import wire
from childsafe.dnsfilter.wire import HEADER, Query, Scanned

log = logging.getLogger(__name__)

Address = tuple[str, int]
FAILED_RCODES = frozenset({wire.SERVFAIL, wire.REFUSED, wire.NOTIMP, wire.FORMERR})


class Entry:
    __slots__ = ("scanned", "stored", "expires", "_age", "_body", "_head", "_tail", "_flags")

    def __init__(self, scanned: Scanned, stored: float, expires: float) -> None:
        self.scanned = scanned
        self.stored = stored
        self.expires = expires
        self._age = -1
        self._head: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._body = self._tail = b""
        self._flags = scanned.flags & ~(wire.RD | wire.AA | wire.TC)

    def body(self, now: float) -> bytes:
        """The answer as the upstream sent it (without OPT), TTLs lowered by the age."""
        age = int(now - self.stored)
        if age != self._age:
            s = self.scanned
            body = bytearray(s.body)
            for offset, ttl in zip(s.ttl_offsets, s.ttls, strict=True):
                wire.TTL.pack_into(body, offset, ttl - age if ttl > age else 0)
            self._body = bytes(body)
            self._head = struct.unpack_from("!HHHH", body, 4)
            self._tail = self._body[12 + s.question_len :]
            self._age = age
        return self._body

    def answer(self, query: Query, now: float) -> bytes:
        """The cached answer for ``query``: its ID, question and RD bit, TTLs aged."""
        self.body(now)
        qd, an, ns, ar = self._head
        opt = wire.opt_record(query)
        return (
            HEADER.pack(
                query.id, self._flags | (query.flags & wire.RD), qd, an, ns, ar + (1 if opt else 0)
            )
            + query.question
            + self._tail
            + opt
        )


class Cache:
    def __init__(
        self,
        *,
        max_entries: int = 200_000,
        max_ttl: int = 86_400,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self.clock = clock
        self.entries: dict[bytes, Entry] = {}
        self.hits = self.misses = 0

    def get(self, key: bytes, now: float) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            if entry.expires > now:
                self.hits += 1
                return entry
            del self.entries[key]
        self.misses += 1
        return None

    def put(self, key: bytes, scanned: Scanned) -> Entry:
        """Keep the answer when it may be kept; the entry either way (to answer once)."""
        now = self.clock()
        ttl = min(scanned.cache_ttl, self.max_ttl)
        entry = Entry(scanned, now, now + ttl)
        if ttl > 0:
            entries = self.entries
            entries.pop(key, None)
            while len(entries) >= self.max_entries:
                del entries[next(iter(entries))]
            entries[key] = entry
        return entry

    def clear(self) -> None:
        self.entries.clear()


class _UdpClient(asyncio.DatagramProtocol):
    """One socket per upstream; answers matched to queries by ID and question."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, tuple[bytes, asyncio.Future[bytes]]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # 3.11: not a subclass

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12 or not data[2] & 0x80:
            return
        (qid,) = struct.unpack_from("!H", data)
        waiting = self.pending.get(qid)
        if waiting is None:
            return
        question, future = waiting
        if data[12 : 12 + len(question)].lower() != question or future.done():
            return
        del self.pending[qid]
        future.set_result(data)

    def error_received(self, exc: Exception) -> None:  # e.g. ICMP port unreachable
        for _, future in self.pending.values():
            if not future.done():
                future.set_exception(exc)
        self.pending.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.error_received(exc or ConnectionError("closed"))


class Resolver:
    def __init__(
        self,
        upstreams: Sequence[Address],
        *,
        timeout: float = 1.0,
        attempts: int = 2,
        cache: Cache | None = None,
    ) -> None:
        if not upstreams:
            raise ValueError("no upstream resolvers")
        self.upstreams = list(upstreams)
        self.timeout = timeout
        self.attempts = attempts
        self.cache = cache or Cache()
        self._clients: dict[Address, _UdpClient] = {}
        self._inflight: dict[bytes, asyncio.Future[Entry | None]] = {}
        self._random = random.SystemRandom()
        self.failures = 0

    async def resolve(self, key: bytes) -> Entry | None:
        """The upstream answer for a cache key (``Query.key``), or None if none came."""
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._resolve(key))
            self._inflight[key] = future
            future.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(future)

    async def _resolve(self, key: bytes) -> Entry | None:
        question = key[:-1]
        do, cd = bool(key[-1] & 2), bool(key[-1] & 1)
        for _ in range(self.attempts):
            for upstream in self.upstreams:
                qid = self._random.getrandbits(16)
                message = wire.query_wire(qid, key, do, cd)
                answer = await self._udp(upstream, qid, question, message)
                if answer is not None and answer[2] & 0x02:  # TC: ask again over TCP
                    answer = await self._tcp(upstream, qid, question, message)
                if answer is None or answer[3] & 0xF in FAILED_RCODES:
                    continue
                try:
                    scanned = wire.scan(answer)
                except (ValueError, IndexError, struct.error):
                    log.warning("dnsfilter: malformed answer from upstream %s:%s", *upstream)
                    continue
                if scanned.question_len != len(question):
                    continue
                return self.cache.put(key, scanned)
        self.failures += 1
        return None

    async def _udp(
        self, upstream: Address, qid: int, question: bytes, message: bytes
    ) -> bytes | None:
        client = self._clients.get(upstream)
        if client is None or client.transport is None:
            loop = asyncio.get_running_loop()
            try:
                _, client = await loop.create_datagram_endpoint(_UdpClient, remote_addr=upstream)
            except OSError:
                return None
            self._clients[upstream] = client
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        while qid in client.pending:
            qid = (qid + 1) & 0xFFFF
            message = struct.pack("!H", qid) + message[2:]
        client.pending[qid] = (question.lower(), future)
        assert client.transport is not None
        client.transport.sendto(message)
        try:
            return await asyncio.wait_for(future, self.timeout)
        except (TimeoutError, OSError):
            return None
        finally:
            if client.pending.get(qid, (b"", None))[1] is future:
                del client.pending[qid]

    async def _tcp(
        self, upstream: Address, qid: int, question: bytes, message: bytes
    ) -> bytes | None:
        writer = None
        try:
            async with asyncio.timeout(self.timeout * 2):
                reader, writer = await asyncio.open_connection(*upstream)
                writer.write(struct.pack("!H", len(message)) + message)
                await writer.drain()
                while True:
                    (length,) = struct.unpack("!H", await reader.readexactly(2))
                    answer = await reader.readexactly(length)
                    if (
                        len(answer) >= 12
                        and struct.unpack_from("!H", answer)[0] == qid
                        and answer[12 : 12 + len(question)].lower() == question.lower()
                    ):
                        return answer
        except (OSError, TimeoutError, asyncio.IncompleteReadError, struct.error):
            return None
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

    def close(self) -> None:
        for client in self._clients.values():
            if client.transport is not None:
                client.transport.close()
        self._clients.clear()
