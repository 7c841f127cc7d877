"""A fake upstream resolver on loopback (UDP and TCP, dnspython) and policy documents."""

from __future__ import annotations

import copy
import select
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

DOCUMENT: dict[str, Any] = {
    "format": "childsafe-policy/1",
    "version": "v1",
    "generated_at": "2026-11-29T05:00:00+07:00",
    "school": {"id": 12, "code": "thcs-nguyen-du-db", "name": "Trường THCS Nguyễn Du"},
    "timezone": "Asia/Ho_Chi_Minh",
    "block": {"mode": "nxdomain"},
    "networks": [
        {"cidr": "10.10.1.0/24", "tier": "primary"},
        {"cidr": "10.10.0.0/16", "tier": "staff"},
        {"cidr": "10.20.0.0/16", "tier": "lower_secondary"},
        {"cidr": "10.30.0.0/16", "tier": "upper_secondary"},
        {"cidr": "fd00:10::/32", "tier": "staff"},
        {"cidr": "127.0.0.0/8", "tier": "primary"},
    ],
    "default_tier": "primary",
    "authority": ["bad.example", "csam.example"],
    "categories": {
        "adult": ["adult.example", "sub.mixed.example"],
        "gambling": ["casino.example"],
        "violence": ["gore.example"],
        "self_harm": ["harm.example"],
        "drugs": ["drugs.example"],
        "weapons": ["guns.example"],
        "dating": ["dating.example"],
        "proxy_vpn": ["vpn.example"],
        "malware": ["malware.example"],
        "games": ["games.example"],
        "social": ["social.example"],
    },
    "rules": [
        {"tier": "primary", "category": code}
        for code in (
            "adult",
            "gambling",
            "violence",
            "self_harm",
            "drugs",
            "weapons",
            "dating",
            "proxy_vpn",
            "malware",
            "games",
            "social",
        )
    ]
    + [
        {"tier": "lower_secondary", "category": "adult"},
        {
            "tier": "lower_secondary",
            "category": "games",
            "schedule": [
                {"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "11:30"},
                {"days": [0, 1, 2, 3, 4], "start": "13:30", "end": "17:00"},
            ],
        },
        {"tier": "upper_secondary", "category": "adult"},
        {"tier": "staff", "category": "malware"},
    ],
    "allow": ["ok.games.example", "mixed.example", "ok.bad.example"],
    "deny": ["deny.example", "x.ok.games.example", "mixed.example"],
    "safesearch": {
        "primary": {"google": True, "bing": True, "duckduckgo": True, "youtube": "strict"},
        "upper_secondary": {
            "google": True,
            "bing": True,
            "duckduckgo": True,
            "youtube": "moderate",
        },
    },
}


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(DOCUMENT)


class FakeUpstream:
    """A recursive resolver on loopback answering from ``records``.

    ``records[(name, type)]`` -> (TTL, [rdata text]); unknown names get NXDOMAIN with an
    SOA (negative TTL 30), known names with another type NODATA with the SOA. ``mode``:
    "ok", "silent" (no answer), "servfail". UDP answers larger than the query's payload
    go out truncated (TC). Every query is recorded in ``queries`` (transport, name, type).
    """

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[int, list[str]]] = {}
        self.mode = "ok"
        self.queries: list[tuple[str, str, str]] = []
        for _ in range(20):  # a free UDP port whose TCP twin is free too
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
            except OSError:
                self.udp.close()
                self.tcp.close()
                continue
            break
        self.tcp.listen(16)
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def add(self, name: str, rdtype: str, *rdatas: str, ttl: int = 300) -> None:
        self.records[(name, rdtype)] = (ttl, list(rdatas))

    def answer(self, data: bytes, transport: str) -> bytes | None:
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((transport, name, rdtype))
        if self.mode == "silent":
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if self.mode == "servfail":
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        found = self.records.get((name, rdtype))
        if found is not None:
            ttl, rdatas = found
            response.answer.append(
                dns.rrset.from_text_list(question.name, ttl, "IN", rdtype, rdatas)
            )
        else:
            if not any(n == name for n, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(
                dns.rrset.from_text(
                    "example.", 60, "IN", "SOA", "ns.example. host.example. 1 3600 600 86400 30"
                )
            )
        wire = response.to_wire(max_size=65535)
        if transport == "udp":
            limit = query.payload if query.edns >= 0 else 512
            if len(wire) > limit:
                response.answer.clear()
                response.authority.clear()
                response.flags |= dns.flags.TC
                wire = response.to_wire()
        return wire

    def _serve(self) -> None:
        while not self.stopping:
            ready, _, _ = select.select([self.udp, self.tcp], [], [], 0.1)
            for sock in ready:
                if sock is self.udp:
                    data, addr = self.udp.recvfrom(65535)
                    wire = self.answer(data, "udp")
                    if wire is not None:
                        self.udp.sendto(wire, addr)
                else:
                    conn, _ = self.tcp.accept()
                    threading.Thread(target=self._tcp_client, args=(conn,), daemon=True).start()

    def _tcp_client(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while True:
                    prefix = conn.recv(2)
                    if len(prefix) < 2:
                        return
                    (length,) = struct.unpack("!H", prefix)
                    data = b""
                    while len(data) < length:
                        chunk = conn.recv(length - len(data))
                        if not chunk:
                            return
                        data += chunk
                    wire = self.answer(data, "tcp")
                    if wire is None:
                        return
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
            except OSError:
                return

    def close(self) -> None:
        self.stopping = True
        self.thread.join(5)
        self.udp.close()
        self.tcp.close()


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    try:
        yield fake
    finally:
        fake.close()
