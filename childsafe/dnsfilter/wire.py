"""DNS message bytes on the hot path: the query's header and question parsed straight from
the packet, answers built from the query's own bytes, upstream answers scanned once for
their TTLs. Pure: no sockets, no Django.

``parse`` handles the common shape (one question, no compression in it, at most an OPT
record) and returns None for anything else; ``parse_unusual`` then tries dnspython and
either turns the packet into the common shape or says what to answer (FORMERR, NOTIMP,
REFUSED...). EDNS is minimal: a client that sent an OPT record gets ours back (payload
``OUR_PAYLOAD``, its DO bit echoed), EDNS versions above 0 get BADVERS.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode

HEADER = struct.Struct("!HHHHHH")
ID_FLAGS = struct.Struct("!HH")
RR_FIXED = struct.Struct("!HHIH")  # type, class, TTL, rdata length
OPT_FIXED = struct.Struct("!HHBBHH")  # type, payload, extended rcode, version, flags, rdlen
TTL = struct.Struct("!I")

QR, AA, TC, RD, RA, AD, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080, 0x0020, 0x0010
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
BADVERS = 16
CLASS_IN = 1
TYPE_A, TYPE_CNAME, TYPE_SOA, TYPE_AAAA, TYPE_OPT, TYPE_ANY = 1, 5, 6, 28, 41, 255
OUR_PAYLOAD = 1232  # what we advertise, and the most we send over UDP (DNS flag day 2020)
PLAIN_PAYLOAD = 512
MAX_NAME = 255


@dataclass(slots=True)
class Query:
    id: int
    flags: int
    name: str  # lower case, no trailing dot; "" for the root
    qtype: int
    qclass: int
    question: bytes  # the question section as the client sent it
    key: bytes  # the cache key: name lowered, type, class, DO and CD bits
    edns: int  # -1 without EDNS, else the client's UDP payload size
    edns_version: int
    do: bool

    @property
    def udp_limit(self) -> int:
        if self.edns < 0:
            return PLAIN_PAYLOAD
        return min(max(self.edns, PLAIN_PAYLOAD), OUR_PAYLOAD)


def parse(wire: bytes) -> Query | None:
    """The query, when it has the common shape; None for anything else."""
    n = len(wire)
    if n < 17:
        return None
    qid, flags, qd, an, ns, ar = HEADER.unpack_from(wire)
    if flags & 0xF800 or qd != 1 or an or ns or ar > 1:  # a response, another opcode
        return None
    # The name: its labels' length octets become dots, in place.
    name = bytearray(wire[13:])
    pos = 12
    length = wire[12]
    while length:
        if length > 63:  # compression or an extended label type
            return None
        pos += length + 1
        if pos >= n:
            return None
        length = wire[pos]
        name[pos - 13] = 46
    end = pos + 1
    qend = end + 4
    if end - 12 > MAX_NAME or qend > n:
        return None
    qtype, qclass = ID_FLAGS.unpack_from(wire, end)
    if ar:
        if n < qend + 11 or wire[qend] != 0:
            return None
        rtype, edns, _, version, zflags, rdlen = OPT_FIXED.unpack_from(wire, qend + 1)
        if rtype != TYPE_OPT or qend + 11 + rdlen != n:
            return None
        do = zflags & 0x8000 != 0
        bits = _BITS[(2 if do else 0) | (1 if flags & CD else 0)]
    elif qend != n:
        return None
    else:
        edns, version, do = -1, 0, False
        bits = _BITS[1 if flags & CD else 0]
    return Query(
        qid,
        flags,
        name[: pos - 13].decode("latin-1").lower() if pos > 12 else "",
        qtype,
        qclass,
        wire[12:qend],
        wire[12:end].lower() + wire[end:qend] + bits,
        edns,
        version,
        do,
    )


_BITS = tuple(bytes((i,)) for i in range(4))


def key_name(packet: bytes, offset: int = 10) -> str:
    """The question's name (lower case, no trailing dot) in a packet that ``parse``
    took, from its question at ``offset`` (10: the packet without its ID)."""
    labels = []
    length = packet[offset]
    while length:
        labels.append(packet[offset + 1 : offset + 1 + length])
        offset += length + 1
        length = packet[offset]
    return b".".join(labels).decode("latin-1").lower()


def parse_unusual(wire: bytes) -> tuple[Query | None, bytes | None, str]:
    """(query, None, "") when dnspython can bring the packet to the common shape, else
    (None, answer or None to drop it, the problem for the log)."""
    if len(wire) < 12:
        return None, None, "short packet"
    (flags,) = struct.unpack_from("!H", wire, 2)
    if flags & QR:
        return None, None, "unexpected response"
    try:
        msg = dns.message.from_wire(wire, keyring=False)
    except dns.name.NameTooLong:
        return None, header_error(wire, FORMERR), "name too long"
    except dns.exception.DNSException:
        return None, header_error(wire, FORMERR), "malformed packet"
    except Exception:  # dnspython on hostile bytes: anything is a malformed packet
        return None, header_error(wire, FORMERR), "malformed packet"
    if msg.opcode() != dns.opcode.QUERY:
        return None, header_error(wire, NOTIMP), "opcode"
    if len(msg.question) != 1:
        return None, header_error(wire, FORMERR), "not one question"
    if msg.had_tsig:
        return None, header_error(wire, REFUSED), "TSIG"
    question = msg.question[0]
    try:
        plain = dns.message.make_query(
            question.name,
            question.rdtype,
            question.rdclass,
            use_edns=msg.edns if msg.edns >= 0 else False,
            payload=msg.payload,
            want_dnssec=bool(msg.ednsflags & dns.flags.DO),
            id=msg.id,
            flags=msg.flags,
        ).to_wire()
    except Exception:
        return None, header_error(wire, FORMERR), "malformed packet"
    query = parse(plain)
    if query is None:
        return None, header_error(wire, FORMERR), "malformed packet"
    return query, None, ""


# -- Answers built from the query ------------------------------------------------------


def header_error(wire: bytes, rcode: int) -> bytes:
    """An answer made from the header alone, when the question does not parse."""
    qid, flags = ID_FLAGS.unpack_from(wire)
    return HEADER.pack(qid, QR | RA | (flags & 0x7800) | (flags & RD) | rcode, 0, 0, 0, 0)


def opt_record(query: Query, extended_rcode: int = 0) -> bytes:
    if query.edns < 0:
        return b""
    return b"\x00" + OPT_FIXED.pack(
        TYPE_OPT, OUR_PAYLOAD, extended_rcode, 0, 0x8000 if query.do else 0, 0
    )


def answer(query: Query, rcode: int, records: bytes = b"", count: int = 0) -> bytes:
    """Our answer to ``query``: its question, ``count`` answer records, our OPT."""
    opt = opt_record(query, rcode >> 4)
    flags = QR | RA | (query.flags & (RD | CD)) | (rcode & 0xF)
    return (
        HEADER.pack(query.id, flags, 1, count, 0, 1 if opt else 0) + query.question + records + opt
    )


def truncated(query: Query) -> bytes:
    """An empty answer with TC set: ask again over TCP."""
    opt = opt_record(query)
    flags = QR | RA | TC | (query.flags & (RD | CD))
    return HEADER.pack(query.id, flags, 1, 0, 0, 1 if opt else 0) + query.question + opt


def address_record(address: str, ttl: int) -> tuple[int, bytes]:
    """(type, an answer record for the question's name): the block page's address."""
    ip = ipaddress.ip_address(address)
    rtype = TYPE_A if ip.version == 4 else TYPE_AAAA
    packed = ip.packed
    return rtype, b"\xc0\x0c" + RR_FIXED.pack(rtype, CLASS_IN, ttl, len(packed)) + packed


def cname_record(target: str, ttl: int) -> bytes:
    rdata = dns.name.from_text(target).to_wire()
    assert rdata is not None
    return b"\xc0\x0c" + RR_FIXED.pack(TYPE_CNAME, CLASS_IN, ttl, len(rdata)) + rdata


def query_wire(qid: int, name_key: bytes, do: bool, cd: bool) -> bytes:
    """A recursive query for an upstream: ``name_key`` is a cache key (question + bits)."""
    flags = RD | (CD if cd else 0)
    opt = b"\x00" + OPT_FIXED.pack(TYPE_OPT, OUR_PAYLOAD, 0, 0, 0x8000 if do else 0, 0)
    return HEADER.pack(qid, flags, 1, 0, 0, 1) + name_key[:-1] + opt


# -- Upstream answers --------------------------------------------------------------------


@dataclass(slots=True)
class Scanned:
    """An upstream answer without its OPT record, and what caching needs to know."""

    flags: int
    body: bytes  # the message without OPT; the header's counts match
    question_len: int
    ttl_offsets: tuple[int, ...]  # where each record's TTL is in ``body``
    ttls: tuple[int, ...]
    cache_ttl: int  # how long the answer may be kept (0: not at all)


def _skip_name(wire: bytes, pos: int) -> int:
    while True:
        length = wire[pos]
        if length == 0:
            return pos + 1
        if length & 0xC0 == 0xC0:
            return pos + 2
        if length & 0xC0:
            raise ValueError("extended label type")
        pos += length + 1


def scan(wire: bytes) -> Scanned:
    """Walk an upstream answer's records (ValueError or IndexError if malformed)."""
    _, flags, qd, an, ns, ar = HEADER.unpack_from(wire)
    pos = 12
    for _ in range(qd):
        pos = _skip_name(wire, pos) + 4
    question_len = pos - 12
    offsets: list[int] = []
    ttls: list[int] = []
    opt: tuple[int, int] | None = None
    negative: int | None = None
    for section, count in ((0, an), (1, ns), (2, ar)):
        for _ in range(count):
            start = pos
            pos = _skip_name(wire, pos)
            rtype, _, ttl, rdlen = RR_FIXED.unpack_from(wire, pos)
            end = pos + 10 + rdlen
            if end > len(wire):
                raise ValueError("record past the end")
            if rtype == TYPE_OPT:
                if opt is not None:
                    raise ValueError("two OPT records")
                opt = (start, end)
            else:
                offsets.append(pos + 4)
                ttls.append(ttl & 0x7FFFFFFF)
                if section == 1 and rtype == TYPE_SOA and rdlen >= 20:
                    (minimum,) = TTL.unpack_from(wire, end - 4)
                    negative = min(ttl & 0x7FFFFFFF, minimum)
            pos = end
    if pos != len(wire):
        raise ValueError("junk after the records")
    rcode = flags & 0xF
    if opt is not None:
        start, end = opt
        shift = end - start
        body = HEADER.pack(*HEADER.unpack_from(wire)[:5], ar - 1) + wire[12:start] + wire[end:]
        offsets = [o if o < start else o - shift for o in offsets]
    else:
        body = wire
    if rcode == NOERROR and an:
        cache_ttl = min(ttls)
    elif rcode in (NOERROR, NXDOMAIN) and negative is not None:
        cache_ttl = negative
    else:
        cache_ttl = 0
    return Scanned(flags, body, question_len, tuple(offsets), tuple(ttls), cache_ttl)
