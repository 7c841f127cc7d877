"""The zone server's transport: UDP and TCP listeners, transfers, NOTIFY to secondaries.

Each datagram and each TCP message goes through ``protocol.respond``; an exception
there gets SERVFAIL (made from the header) and the server goes on. A TCP connection
carries any number of length-prefixed messages; it is closed after ``tcp_idle_secs``
of silence, on a length prefix the client does not follow with that many octets, and
when ``max_tcp_clients`` are already connected. Problems with a client's packets are
logged once a minute per client and kind, never with the packet's content.

The zone comes from a ``ZoneFollower`` thread, which publishes each new ``ZoneView``
through ``loop.call_soon_threadsafe``: the view is swapped whole, on the event loop,
and on every new serial each ``--notify`` secondary gets a NOTIFY, sent again (0.5, 1,
2, 4, 8 s) until it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import dns.exception
import dns.message
import dns.rcode

from childsafe.blocklist.zoneserver.config import Address, ServerOptions
from childsafe.blocklist.zoneserver.follower import DatabaseSource, ZoneFollower, record_format
from childsafe.blocklist.zoneserver.protocol import (
    Outcome,
    Transfer,
    axfr_parts,
    header_error,
    ixfr_parts,
    respond,
)
from childsafe.blocklist.zoneserver.wire import Domains, RecordFormat, Records, notify_message
from childsafe.blocklist.zoneserver.zonedata import ZoneView
from childsafe.lib.dnsnet import listen_udp_and_tcp, running_in_thread

log = logging.getLogger(__name__)

NOTIFY_TIMEOUTS_SECS = (0.5, 1.0, 2.0, 4.0, 8.0)
PROBLEM_LOG_EVERY_SECS = 60.0


class _Throttle:
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


class ZoneServer:
    def __init__(
        self,
        options: ServerOptions,
        *,
        source: DatabaseSource | None = None,
        fmt: RecordFormat | None = None,
    ) -> None:
        self.options = options
        self.fmt = fmt or record_format()
        self.source = source or DatabaseSource()
        self.view: ZoneView | None = None
        self.addresses: list[Address] = []
        self.loaded = threading.Event()
        self.follower: ZoneFollower | None = None
        self._udp: list[asyncio.DatagramTransport] = []
        self._tcp: list[asyncio.Server] = []
        self._notify_tasks: dict[Address, asyncio.Task[None]] = {}
        self._tcp_clients = 0
        self._throttle = _Throttle()
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- Life cycle ------------------------------------------------------------------

    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        for host, port in self.options.listen:
            self.addresses.append(await self._listen(host, port))
        self.follower = ZoneFollower(
            source=self.source,
            publish=lambda view: self._publish_soon(loop, view),
            poll_secs=self.options.poll_secs,
        )
        self.follower.start()
        log.info(
            "zone server for %s listening on %s (UDP and TCP)",
            self.fmt.origin,
            ", ".join(f"{h}:{p}" for h, p in self.addresses),
        )

    async def _listen(self, host: str, port: int) -> Address:
        udp, tcp, bound = await listen_udp_and_tcp(
            host, port, lambda: _Udp(self), self._tcp_client
        )
        self._udp.append(udp)
        self._tcp.append(tcp)
        return host, bound

    async def stop(self) -> None:
        for tcp in self._tcp:
            tcp.close()
        for udp in self._udp:
            udp.close()
        for task in self._notify_tasks.values():
            task.cancel()
        if self.follower is not None:
            self.follower.stop()
            await asyncio.to_thread(self.follower.join, 10)
        for tcp in self._tcp:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tcp.wait_closed(), 2)
        log.info("zone server stopped")

    def _publish_soon(self, loop: asyncio.AbstractEventLoop, view: ZoneView) -> None:
        loop.call_soon_threadsafe(self._publish, view)

    def _publish(self, view: ZoneView) -> None:
        previous, self.view = self.view, view
        self.loaded.set()
        if previous is None or previous.serial != view.serial:
            for target in self.options.notify:
                old = self._notify_tasks.get(target)
                if old is not None:
                    old.cancel()
                self._notify_tasks[target] = asyncio.ensure_future(
                    self._notify(target, view.serial)
                )

    # -- Requests --------------------------------------------------------------------

    def respond(self, wire: bytes, client: str, *, over_tcp: bool) -> Outcome:
        try:
            outcome = respond(
                wire,
                client=client,
                over_tcp=over_tcp,
                view=self.view,
                fmt=self.fmt,
                options=self.options,
            )
        except Exception:
            if self._throttle((client, "internal error")):
                log.exception("zone server: internal error answering %s", client)
            return Outcome([header_error(wire, dns.rcode.SERVFAIL)] if len(wire) >= 12 else [])
        if outcome.problem and self._throttle((client, outcome.problem)):
            log.warning("zone server: %s from %s", outcome.problem, client)
        if outcome.wake and self.follower is not None:
            self.follower.wake()
        return outcome

    async def _tcp_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "?"
        if self._tcp_clients >= self.options.max_tcp_clients:
            if self._throttle((client, "too many TCP clients")):
                log.warning("zone server: too many TCP clients; closing one from %s", client)
            writer.close()
            return
        self._tcp_clients += 1
        idle = self.options.tcp_idle_secs
        try:
            while True:
                try:
                    prefix = await asyncio.wait_for(reader.readexactly(2), idle)
                except (asyncio.IncompleteReadError, TimeoutError):
                    return
                (length,) = struct.unpack("!H", prefix)
                try:
                    wire = await asyncio.wait_for(reader.readexactly(length), idle)
                except (asyncio.IncompleteReadError, TimeoutError):
                    if self._throttle((client, "TCP message cut short")):
                        log.warning("zone server: TCP message cut short from %s", client)
                    return
                outcome = self.respond(wire, client, over_tcp=True)
                for message in outcome.messages:
                    writer.write(struct.pack("!H", len(message)) + message)
                if outcome.transfer is not None:
                    await self._stream(outcome.transfer, writer, client)
                await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        except Exception:
            if self._throttle((client, "TCP error")):
                log.exception("zone server: error on a TCP connection from %s", client)
        finally:
            self._tcp_clients -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _stream(self, transfer: Transfer, writer: asyncio.StreamWriter, client: str) -> None:
        started = time.monotonic()
        fmt, view = self.fmt, transfer.view
        serial, form = view.serial, "full"
        diffs = None
        if transfer.client_serial is not None:
            if view.is_current(transfer.client_serial):
                form = "up to date"
            else:
                diffs = view.diffs_since(transfer.client_serial)
                # Diffs larger than the zone: the zone is the shorter answer.
                if diffs and sum(d.names for d in diffs) <= view.size:
                    form = "incremental"
        parts: list[Records | Domains]
        if form == "up to date":
            parts = [Records(fmt.soa_record(serial))]
        elif form == "incremental" and diffs:
            parts = ixfr_parts(fmt, view, diffs)
        else:
            assert self.follower is not None and self.follower.state is not None
            serial, names = await asyncio.to_thread(self.follower.state.full_names)
            parts = axfr_parts(fmt, serial, names)
        out = transfer.writer
        for message in out.write(parts):
            writer.write(struct.pack("!H", len(message)) + message)
            if out.messages % 8 == 0:
                await writer.drain()
        await writer.drain()
        log.info(
            "transfer %s to %s: %s, serial %s%s, %d records in %d messages, %.0f ms",
            transfer.kind,
            client,
            form,
            serial,
            f" from {transfer.client_serial}" if transfer.client_serial is not None else "",
            out.records,
            out.messages,
            1000 * (time.monotonic() - started),
        )

    # -- NOTIFY to secondaries -------------------------------------------------------

    async def _notify(self, target: Address, serial: int) -> None:
        loop = asyncio.get_running_loop()
        message = notify_message(self.fmt.origin, self.fmt.soa_rdata(serial), ttl=self.fmt.ttl)
        wire = message.to_wire()
        transport, answers = await loop.create_datagram_endpoint(
            lambda: _NotifyAnswers(message.id), remote_addr=target
        )
        where = f"{target[0]}:{target[1]}"
        try:
            for timeout in NOTIFY_TIMEOUTS_SECS:
                transport.sendto(wire)
                try:
                    rcode = await asyncio.wait_for(asyncio.shield(answers.answer), timeout)
                except TimeoutError:
                    continue
                if rcode == dns.rcode.NOERROR:
                    log.info("secondary %s notified of serial %d", where, serial)
                else:
                    log.warning(
                        "secondary %s answered the NOTIFY for serial %d with %s",
                        where,
                        serial,
                        dns.rcode.to_text(dns.rcode.Rcode(rcode)),
                    )
                return
            log.warning("secondary %s did not answer the NOTIFY for serial %d", where, serial)
        finally:
            transport.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: ZoneServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        outcome = self.server.respond(data, str(addr[0]), over_tcp=False)
        assert self.transport is not None
        for message in outcome.messages:
            self.transport.sendto(message, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("zone server UDP error: %s", exc)


class _NotifyAnswers(asyncio.DatagramProtocol):
    def __init__(self, query_id: int) -> None:
        self.query_id = query_id
        self.answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            response = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return
        if response.id == self.query_id and response.flags & 0x8000 and not self.answer.done():
            self.answer.set_result(response.rcode())

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP unreachable: the secondary is not up; we send again


@contextlib.contextmanager
def serve_in_thread(
    options: ServerOptions,
    *,
    source: DatabaseSource | None = None,
    fmt: RecordFormat | None = None,
    wait_loaded_secs: float = 30.0,
) -> Iterator[ZoneServer]:
    """Run a zone server on its own event loop in a thread (tests, benchmarks)."""
    server = ZoneServer(options, source=source, fmt=fmt)
    with running_in_thread(server, "zoneserver"):
        if wait_loaded_secs and not server.loaded.wait(wait_loaded_secs):
            raise TimeoutError("the zone server did not load the zone in time")
        yield server
