"""Listening for DNS on UDP and TCP on the same port (no Django: the school filter's
packet path imports it too)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol, TypeVar

TcpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def listen_udp_and_tcp(
    host: str,
    port: int,
    udp_protocol: Callable[[], asyncio.DatagramProtocol],
    tcp_handler: TcpHandler,
) -> tuple[asyncio.DatagramTransport, asyncio.Server, int]:
    """Bind UDP, then TCP on the same port; with ``port`` 0 the port UDP got, retried a
    few times when TCP finds it taken. Answers both endpoints and the port."""
    loop = asyncio.get_running_loop()
    for attempt in range(20):
        udp, _ = await loop.create_datagram_endpoint(udp_protocol, local_addr=(host, port))
        bound = udp.get_extra_info("sockname")[1]
        try:
            tcp = await asyncio.start_server(tcp_handler, host, bound, reuse_address=True)
        except OSError:
            udp.close()
            if port != 0 or attempt == 19:  # port 0: UDP's free port was taken in TCP
                raise
            continue
        return udp, tcp, bound
    raise AssertionError("unreachable")


async def listen_udp_socket_and_tcp(
    host: str, port: int, tcp_handler: TcpHandler
) -> tuple[socket.socket, asyncio.Server, int]:
    """As ``listen_udp_and_tcp``, but UDP as a bare non-blocking socket, for a server
    that reads it itself (``loop.add_reader``) instead of through a transport."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE
    )
    family, _, proto, _, address = infos[0]
    for attempt in range(20):
        udp = socket.socket(family, socket.SOCK_DGRAM, proto)
        try:
            udp.setblocking(False)
            udp.bind(address)
            bound = udp.getsockname()[1]
            tcp = await asyncio.start_server(tcp_handler, host, bound, reuse_address=True)
        except OSError:
            udp.close()
            if port != 0 or attempt == 19:  # port 0: UDP's free port was taken in TCP
                raise
            continue
        return udp, tcp, bound
    raise AssertionError("unreachable")


class AsyncServer(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


ServerT = TypeVar("ServerT", bound=AsyncServer)


@contextlib.contextmanager
def running_in_thread(server: ServerT, name: str) -> Iterator[ServerT]:
    """Run ``server`` on its own event loop in a daemon thread (tests, benchmarks):
    ``start()`` before the block (its exception is raised here), ``stop()`` after it."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:
            failure.append(exc)
            started.set()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(server.stop())
            loop.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    started.wait()
    if failure:
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
