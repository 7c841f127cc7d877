"""Message bytes for the zone server: records, transfers in messages, TSIG, NOTIFY.

Small answers are built with dnspython's ``Message`` (``make_response`` copies the
question, EDNS and the request's TSIG key). A transfer of a million domains is two
million records: too many for objects, so its messages are written here as bytes.

Every record of the zone's content is position-independent: its owner ends with a
compression pointer to the question name at offset 12, which in a transfer is the zone
origin, in every message (RFC 5936 lets each message repeat the question; we do). So a
domain's records are its wire-format name, rendered once, and a fixed tail:

    <name> C0 0C  CNAME IN ttl rdlength <target>      ; domain.<origin>
    01 2A <name> C0 0C  CNAME IN ttl rdlength <target> ; *.domain.<origin>
"""

from __future__ import annotations

import struct
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat
from operator import add

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG
import dns.tsig

HEADER = struct.Struct("!HHHHHH")
RR_FIXED = struct.Struct("!HHIH")  # type, class, ttl, rdlength
POINTER_TO_QUESTION = b"\xc0\x0c"
TSIG_FUDGE_SECS = 300
# Octets kept free in each message for the TSIG record (name, fixed part, a 64-octet
# MAC) and an OPT record.
TRAILER_RESERVE = 400


def name_wire(domain: str) -> bytes:
    """The labels of ``domain`` (ASCII, no trailing dot) in wire format, without the
    root label: ``a.bc`` gives ``01 61 02 62 63``."""
    labels = domain.split(".")
    return "".join(map(add, map(chr, map(len, labels)), labels)).encode("latin-1")


class RecordFormat:
    """How the zone's records are written: origin, TTL, SOA and NS, CNAME target."""

    def __init__(
        self,
        *,
        origin: dns.name.Name,
        target: str,
        ttl: int,
        soa_mname: str,
        soa_rname: str,
        soa_timers: tuple[int, int, int, int],
        ns_name: str,
    ) -> None:
        self.origin = origin
        self.target = target  # "." (NXDOMAIN) or the block page host, absolute
        self.ttl = ttl
        self.soa_mname = soa_mname
        self.soa_rname = soa_rname
        self.soa_timers = soa_timers  # refresh, retry, expire, minimum
        self.ns_name = ns_name
        target_wire = _to_bytes(dns.name.from_text(target).to_wire())
        self._tail = POINTER_TO_QUESTION + RR_FIXED.pack(5, 1, ttl, len(target_wire)) + target_wire
        self._mid = self._tail + b"\x01*"
        self._block_fixed = 2 * len(self._tail) + 2

    # -- the content: two CNAMEs per domain ----------------------------------------------

    def block_size(self, name: bytes) -> int:
        return 2 * len(name) + self._block_fixed

    def blocks(self, names: Sequence[bytes]) -> bytes:
        """The records of ``names`` (from ``name_wire``), two per name."""
        mid, tail = self._mid, self._tail
        return b"".join(chain.from_iterable(zip(names, repeat(mid), names, repeat(tail))))

    def cumulative_sizes(self, names: Sequence[bytes]) -> list[int]:
        """``sizes[i]``: octets of the blocks of ``names[:i]`` (for splitting)."""
        fixed = self._block_fixed
        return list(accumulate(map(fixed.__add__, map((2).__mul__, map(len, names))), initial=0))

    # -- the apex ------------------------------------------------------------------------

    def soa_text(self, serial: int) -> str:
        refresh, retry, expire, minimum = self.soa_timers
        return (
            f"{self.soa_mname} {self.soa_rname} {wire_serial(serial)}"
            f" {refresh} {retry} {expire} {minimum}"
        )

    def soa_rdata(self, serial: int) -> dns.rdata.Rdata:
        return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, self.soa_text(serial))

    def soa_record(self, serial: int) -> bytes:
        """The SOA, owner compressed to the question (the origin in a transfer)."""
        rdata = _to_bytes(self.soa_rdata(serial).to_wire())
        return POINTER_TO_QUESTION + RR_FIXED.pack(6, 1, self.ttl, len(rdata)) + rdata

    def ns_record(self) -> bytes:
        rdata = _to_bytes(self.ns_rdata().to_wire())
        return POINTER_TO_QUESTION + RR_FIXED.pack(2, 1, self.ttl, len(rdata)) + rdata

    def ns_rdata(self) -> dns.rdata.Rdata:
        return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NS, self.ns_name)


def _to_bytes(wire: bytes | None) -> bytes:
    """dnspython's ``to_wire()`` without a file returns bytes (typed ``bytes | None``)."""
    assert wire is not None
    return wire


def wire_serial(serial: int) -> int:
    """Serials grow without end in the database; on the wire they are 32 bits and
    compared in serial arithmetic (RFC 1982), so wrapping is harmless."""
    return serial & 0xFFFFFFFF


# -- TSIG ------------------------------------------------------------------------------


class TransferSigner:
    """Signs each message of a multi-message answer (RFC 8945 section 5.3.1): the first
    MAC covers the request's MAC, each later one the previous MAC."""

    def __init__(self, key: dns.tsig.Key, request_mac: bytes, original_id: int) -> None:
        self.key = key
        self.request_mac = request_mac
        self.original_id = original_id
        self.ctx = None

    def sign(self, wire: bytes, now: int | None = None) -> bytes:
        now = int(time.time()) if now is None else now
        rdata = dns.rdtypes.ANY.TSIG.TSIG(
            dns.rdataclass.ANY,
            dns.rdatatype.TSIG,
            self.key.algorithm,
            now,
            TSIG_FUDGE_SECS,
            b"",
            self.original_id,
            0,
            b"",
        )
        signed, self.ctx = dns.tsig.sign(
            wire, self.key, rdata, now, self.request_mac, self.ctx, multi=True
        )
        return append_tsig(wire, self.key.name, signed)


def append_tsig(wire: bytes, key_name: dns.name.Name, rdata: dns.rdata.Rdata) -> bytes:
    """``wire`` with a TSIG record added at the end of its additional section."""
    body = _to_bytes(rdata.to_wire())
    record = _to_bytes(key_name.to_wire()) + RR_FIXED.pack(250, 255, 0, len(body)) + body
    (arcount,) = struct.unpack_from("!H", wire, 10)
    return wire[:10] + struct.pack("!H", arcount + 1) + wire[12:] + record


def tsig_error_response(
    response: dns.message.Message,
    *,
    key_name: dns.name.Name,
    algorithm: dns.name.Name,
    original_id: int,
    error: int,
) -> bytes:
    """An unsigned NOTAUTH answer carrying a TSIG record with ``error`` and no MAC, as
    RFC 8945 section 5.3.2 asks for an unknown key (BADKEY) or a bad MAC (BADSIG)."""
    response.set_rcode(dns.rcode.NOTAUTH)
    rdata = dns.rdtypes.ANY.TSIG.TSIG(
        dns.rdataclass.ANY,
        dns.rdatatype.TSIG,
        algorithm,
        int(time.time()),
        TSIG_FUDGE_SECS,
        b"",
        original_id,
        error,
        b"",
    )
    return append_tsig(response.to_wire(), key_name, rdata)


# -- Transfers -------------------------------------------------------------------------


@dataclass
class Records:
    """One record, already in wire format (a SOA)."""

    wire: bytes


@dataclass
class Domains:
    """The two records of each of ``names`` (from ``name_wire``)."""

    names: Sequence[bytes]


class TransferWriter:
    """Cuts a transfer into messages of at most ``message_octets`` octets, each with the
    question (the origin, for the compression pointers) and, when the request had them,
    an OPT record and a TSIG."""

    def __init__(
        self,
        *,
        fmt: RecordFormat,
        query_id: int,
        flags: int,
        question: bytes,
        opt: bytes = b"",
        signer: TransferSigner | None = None,
        message_octets: int = 65_000,
    ) -> None:
        self.fmt = fmt
        self.query_id = query_id
        self.flags = flags
        self.question = question
        self.opt = opt
        self.signer = signer
        self.budget = min(message_octets, 65535) - TRAILER_RESERVE - 12 - len(question)
        self.messages = 0
        self.records = 0

    def _message(self, body: list[bytes], count: int) -> bytes:
        header = HEADER.pack(self.query_id, self.flags, 1, count, 0, 1 if self.opt else 0)
        wire = b"".join([header, self.question, *body, self.opt])
        self.messages += 1
        self.records += count
        return self.signer.sign(wire) if self.signer else wire

    def write(self, parts: Iterable[Records | Domains]) -> Iterator[bytes]:
        body: list[bytes] = []
        size = count = 0
        for part in parts:
            if isinstance(part, Records):
                if size + len(part.wire) > self.budget and body:
                    yield self._message(body, count)
                    body, size, count = [], 0, 0
                body.append(part.wire)
                size += len(part.wire)
                count += 1
                continue
            names = part.names
            sizes = self.fmt.cumulative_sizes(names)
            start = 0
            while start < len(names):
                # The most blocks from ``start`` that fit in what is left of the message.
                end = bisect_right(sizes, sizes[start] + self.budget - size) - 1
                if end <= start:
                    if not body:  # cannot happen with names of at most 255 octets
                        raise ValueError("a record is larger than a message")
                    yield self._message(body, count)
                    body, size, count = [], 0, 0
                    continue
                body.append(self.fmt.blocks(names[start:end]))
                size += sizes[end] - sizes[start]
                count += 2 * (end - start)
                start = end
        if body:
            yield self._message(body, count)


def opt_record(payload: int = 1232) -> bytes:
    """An EDNS(0) OPT record, version 0, no options."""
    return b"\x00" + RR_FIXED.pack(41, payload, 0, 0)


# -- NOTIFY ----------------------------------------------------------------------------


def notify_message(
    origin: dns.name.Name, soa: dns.rdata.Rdata | None = None, *, ttl: int = 0
) -> dns.message.Message:
    """A NOTIFY for ``origin`` (RFC 1996): SOA question, AA set, and the new SOA in the
    answer section when known (secondaries may skip a probe with it)."""
    message = dns.message.make_query(origin, dns.rdatatype.SOA)
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags = dns.flags.AA | dns.opcode.to_flags(dns.opcode.NOTIFY)
    if soa is not None:
        rrset = message.find_rrset(
            message.answer, origin, dns.rdataclass.IN, dns.rdatatype.SOA, create=True
        )
        rrset.add(soa, ttl)
    return message
