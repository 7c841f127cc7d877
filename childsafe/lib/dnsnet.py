"""Listening for DNS on UDP and TCP on the same port (no Django: the school filter's
packet path imports it too)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

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
