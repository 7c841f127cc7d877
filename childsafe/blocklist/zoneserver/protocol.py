"""The zone server's policy: what one request gets. Pure: no sockets, no database.

``respond`` parses a request and returns an ``Outcome``: messages to send, a transfer
to stream (the transport fetches the records), or nothing (a packet not worth an
answer). The rules:

- Fewer than 12 octets, or a response (QR set): dropped. Otherwise a packet that does
  not parse, or asks more or less than one question, gets FORMERR.
- TSIG first: an unknown key name or algorithm gets NOTAUTH with TSIG error BADKEY, a
  MAC that does not verify NOTAUTH/BADSIG (both unsigned, RFC 8945 section 5.3.2), a
  time outside the fudge NOTAUTH/BADTIME. A signed request gets signed answers.
- NOTIFY for our origin from an ``allow_notify`` address (the web app after a change)
  gets NOERROR and wakes the follower; any other NOTIFY is REFUSED.
- At the origin: SOA, NS (and ANY: both) answered authoritatively, other types NODATA
  with the SOA. SOA queries need no key: the serial is no secret, and resolvers probe
  it before a transfer. Names below the origin (the list's content) and outside the
  zone are REFUSED: the content goes out by transfer only.
- AXFR and IXFR: only from ``allow_transfer`` addresses and, when keys are configured,
  only signed with one of them; otherwise REFUSED. AXFR over UDP is REFUSED. IXFR:
  a copy at our serial (or newer) gets the SOA alone; one we hold diffs for gets them
  (RFC 1995 incremental form); any other the whole zone in the AXFR-like form. Over UDP
  an IXFR that does not fit one datagram gets the SOA alone, so the client uses TCP.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig

from childsafe.blocklist.zoneserver.config import ServerOptions, allowed
from childsafe.blocklist.zoneserver.wire import (
    HEADER,
    Domains,
    RecordFormat,
    Records,
    TransferSigner,
    TransferWriter,
    opt_record,
    tsig_error_response,
)
from childsafe.blocklist.zoneserver.zonedata import Diff, ZoneView

UDP_PAYLOAD = 1232  # what we advertise and send at most over UDP with EDNS
UDP_PLAIN = 512


@dataclass
class Transfer:
    """A transfer to stream: the transport supplies the records."""

    kind: str  # "AXFR" or "IXFR"
    client_serial: int | None  # IXFR: the client's copy
    writer: TransferWriter
    view: ZoneView


@dataclass
class Outcome:
    messages: list[bytes] = field(default_factory=list)
    transfer: Transfer | None = None
    wake: bool = False  # a NOTIFY from the app: look at the database now
    # Why the request was refused or malformed, for the log (rate-limited per client).
    problem: str = ""


def header_error(wire: bytes, rcode: int) -> bytes:
    """An answer made from the header alone, when nothing after it parses."""
    query_id, flags = struct.unpack_from("!HH", wire)
    opcode_bits = flags & 0x7800
    return HEADER.pack(query_id, 0x8000 | opcode_bits | (flags & 0x0100) | rcode, 0, 0, 0, 0)


def respond(
    wire: bytes,
    *,
    client: str,
    over_tcp: bool,
    view: ZoneView | None,
    fmt: RecordFormat,
    options: ServerOptions,
) -> Outcome:
    if len(wire) < 12:
        return Outcome(problem="short packet")
    (flags,) = struct.unpack_from("!H", wire, 2)
    if flags & dns.flags.QR:
        return Outcome(problem="unexpected response")
    try:
        query = dns.message.from_wire(wire, keyring=False)
    except dns.exception.DNSException:
        return Outcome([header_error(wire, dns.rcode.FORMERR)], problem="malformed packet")
    (qdcount,) = struct.unpack_from("!H", wire, 4)
    if qdcount != 1 or len(query.question) != 1:
        return Outcome([_formerr(query)], problem="not one question")
    if query.had_tsig:
        checked = _check_tsig(wire, query, options)
        if isinstance(checked, Outcome):
            return checked
        query = checked
    if query.edns > 0:
        response = dns.message.make_response(query, our_payload=UDP_PAYLOAD)
        response.set_rcode(dns.rcode.Rcode.BADVERS)
        return Outcome([response.to_wire()], problem="EDNS version")
    opcode = query.opcode()
    if opcode == dns.opcode.NOTIFY:
        return _notify(query, client, fmt, options)
    if opcode != dns.opcode.QUERY:
        return _answer(query, dns.rcode.NOTIMP, problem="opcode")
    question = query.question[0]
    if question.rdclass not in (dns.rdataclass.IN, dns.rdataclass.ANY):
        return _answer(query, dns.rcode.REFUSED, problem="class")
    if question.name != fmt.origin:
        return _answer(query, dns.rcode.REFUSED)
    if view is None:  # the zone is not loaded yet
        return _answer(query, dns.rcode.SERVFAIL, problem="zone not loaded")
    rdtype = question.rdtype
    if rdtype in (dns.rdatatype.AXFR, dns.rdatatype.IXFR):
        return _transfer(
            query, client=client, over_tcp=over_tcp, view=view, fmt=fmt, options=options
        )
    response = _response(query)
    response.flags |= dns.flags.AA
    if rdtype in (dns.rdatatype.SOA, dns.rdatatype.ANY):
        response.answer.append(_soa_rrset(fmt, view.serial))
    if rdtype in (dns.rdatatype.NS, dns.rdatatype.ANY):
        response.answer.append(dns.rrset.from_rdata_list(fmt.origin, fmt.ttl, [fmt.ns_rdata()]))
    if not response.answer:
        response.authority.append(_soa_rrset(fmt, view.serial))
    return Outcome([_to_wire(response, query, over_tcp)])


# -- Pieces ----------------------------------------------------------------------------


def _response(query: dns.message.Message) -> dns.message.Message:
    return dns.message.make_response(query, our_payload=UDP_PAYLOAD)


def _answer(query: dns.message.Message, rcode: dns.rcode.Rcode, *, problem: str = "") -> Outcome:
    response = _response(query)
    response.set_rcode(rcode)
    return Outcome([response.to_wire()], problem=problem)


def _formerr(query: dns.message.Message) -> bytes:
    response = dns.message.Message(id=query.id)
    response.flags = dns.flags.QR | (query.flags & dns.flags.RD)
    response.set_opcode(query.opcode())
    response.set_rcode(dns.rcode.FORMERR)
    return response.to_wire()


def _soa_rrset(fmt: RecordFormat, serial: int) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(fmt.origin, fmt.ttl, [fmt.soa_rdata(serial)])


def _to_wire(response: dns.message.Message, query: dns.message.Message, over_tcp: bool) -> bytes:
    return response.to_wire(max_size=65535 if over_tcp else _udp_limit(query))


def _check_tsig(
    wire: bytes, query: dns.message.Message, options: ServerOptions
) -> dns.message.Message | Outcome:
    """The request again, its TSIG verified; or the NOTAUTH answer."""
    key_name, algorithm = query.keyname, query.keyalgorithm
    assert key_name is not None and algorithm is not None
    key = options.keyring.get(key_name)
    if key is None or key.algorithm != algorithm:
        return _tsig_refusal(query, dns.rcode.BADKEY, "unknown TSIG key")
    try:
        return dns.message.from_wire(wire, keyring={key_name: key})
    except dns.tsig.BadTime:
        response = _response(query)
        response.set_rcode(dns.rcode.NOTAUTH)
        now = int(time.time())
        response.use_tsig(
            key,
            tsig_error=dns.rcode.BADTIME,
            other_data=struct.pack("!HI", now >> 32, now & 0xFFFFFFFF),
        )
        response.request_mac = query.mac or b""
        return Outcome([response.to_wire()], problem="TSIG time")
    except (dns.tsig.BadSignature, dns.tsig.BadKey, dns.tsig.BadAlgorithm):
        return _tsig_refusal(query, dns.rcode.BADSIG, "bad TSIG signature")
    except dns.exception.DNSException:
        return Outcome([_formerr(query)], problem="malformed TSIG")


def _tsig_refusal(query: dns.message.Message, error: dns.rcode.Rcode, problem: str) -> Outcome:
    assert query.keyname is not None and query.keyalgorithm is not None
    wire = tsig_error_response(
        _response(query),
        key_name=query.keyname,
        algorithm=query.keyalgorithm,
        original_id=query.id,
        error=error,
    )
    return Outcome([wire], problem=problem)


def _notify(
    query: dns.message.Message, client: str, fmt: RecordFormat, options: ServerOptions
) -> Outcome:
    if query.question[0].name != fmt.origin or not allowed(client, options.allow_notify):
        return _answer(query, dns.rcode.REFUSED, problem="NOTIFY not allowed")
    response = _response(query)
    response.flags |= dns.flags.AA
    return Outcome([response.to_wire()], wake=True)


def _transfer(
    query: dns.message.Message,
    *,
    client: str,
    over_tcp: bool,
    view: ZoneView,
    fmt: RecordFormat,
    options: ServerOptions,
) -> Outcome:
    kind = dns.rdatatype.to_text(query.question[0].rdtype)
    if not allowed(client, options.allow_transfer):
        return _answer(query, dns.rcode.REFUSED, problem=f"{kind} from an address not allowed")
    if options.keys and not query.had_tsig:
        return _answer(query, dns.rcode.REFUSED, problem=f"{kind} without a TSIG key")
    client_serial = None
    if kind == "IXFR":
        soa = [r for r in query.authority if r.rdtype == dns.rdatatype.SOA]
        if len(soa) != 1 or len(soa[0]) != 1:
            return Outcome([_formerr(query)], problem="IXFR without a SOA")
        client_serial = soa[0][0].serial  # type: ignore[attr-defined]
    elif not over_tcp:
        return _answer(query, dns.rcode.REFUSED, problem="AXFR over UDP")
    writer = TransferWriter(
        fmt=fmt,
        query_id=query.id,
        flags=dns.flags.QR | dns.flags.AA | (query.flags & dns.flags.RD),
        question=_question_wire(query),
        opt=opt_record(UDP_PAYLOAD) if query.edns >= 0 else b"",
        signer=(
            TransferSigner(query.keyring, query.mac, query.id)
            if query.had_tsig and query.keyring and query.mac
            else None
        ),
        message_octets=options.message_octets if over_tcp else UDP_PAYLOAD,
    )
    transfer = Transfer(kind=kind, client_serial=client_serial, writer=writer, view=view)
    if over_tcp:
        return Outcome(transfer=transfer)
    # IXFR over UDP: the diffs if they fit in one datagram, else the SOA alone.
    assert client_serial is not None
    soa_only = [Records(fmt.soa_record(view.serial))]
    diffs = None if view.is_current(client_serial) else view.diffs_since(client_serial)
    parts = ixfr_parts(fmt, view, diffs) if diffs else soa_only
    messages = list(writer.write(parts))
    if len(messages) > 1 or len(messages[0]) > _udp_limit(query):
        if writer.signer is not None:
            writer.signer = TransferSigner(writer.signer.key, writer.signer.request_mac, query.id)
        messages = list(writer.write(soa_only))
    return Outcome(messages)


def _udp_limit(query: dns.message.Message) -> int:
    return min(max(query.payload, UDP_PLAIN), UDP_PAYLOAD) if query.edns >= 0 else UDP_PLAIN


def _question_wire(query: dns.message.Message) -> bytes:
    question = query.question[0]
    name = question.name.to_wire()
    assert name is not None
    return name + struct.pack("!HH", question.rdtype, question.rdclass)


def axfr_parts(fmt: RecordFormat, serial: int, names: list[bytes]) -> list[Records | Domains]:
    """SOA, NS, every domain's records, SOA again (RFC 5936)."""
    soa = Records(fmt.soa_record(serial))
    return [soa, Records(fmt.ns_record()), Domains(names), soa]


def ixfr_parts(
    fmt: RecordFormat, view: ZoneView, diffs: tuple[Diff, ...]
) -> list[Records | Domains]:
    """RFC 1995: current SOA; for each step, old SOA, deletions, new SOA, additions;
    current SOA again."""
    parts: list[Records | Domains] = [Records(fmt.soa_record(view.serial))]
    for diff in diffs:
        parts.append(Records(fmt.soa_record(diff.from_serial)))
        parts.append(Domains(diff.removed))
        parts.append(Records(fmt.soa_record(diff.to_serial)))
        parts.append(Domains(diff.added))
    parts.append(Records(fmt.soa_record(view.serial)))
    return parts
