"""Packet bytes: the fast parse against dnspython's, answers, upstream answers scanned."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

from childsafe.dnsfilter import wire


def test_parse_matches_dnspython() -> None:
    for name, rdtype, edns in [
        ("WWW.Example.COM", "A", False),
        ("a.b.c.d.e.example", "AAAA", 0),
        (".", "NS", False),
        ("x" * 63 + ".example", "TXT", 0),
    ]:
        message = dns.message.make_query(
            name, rdtype, use_edns=edns, want_dnssec=edns is not False
        )
        query = wire.parse(message.to_wire())
        assert query is not None
        assert query.id == message.id
        assert query.name == name.lower().rstrip(".")
        assert query.qtype == message.question[0].rdtype
        assert query.qclass == 1
        assert query.edns == (-1 if edns is False else message.payload)
        assert query.do == (edns is not False)
        assert query.key[:-1] == dns.message.make_query(name.lower(), rdtype).to_wire()[12:]


def test_parse_leaves_unusual_packets() -> None:
    good = dns.message.make_query("www.example", "A").to_wire()
    assert wire.parse(good[:-1]) is None  # truncated
    assert wire.parse(good + b"\x00") is None  # trailing octets
    assert wire.parse(good[:2] + b"\x81\x00" + good[4:]) is None  # a response
    assert wire.parse(good[:12] + b"\xc0\x0c" + good[-4:]) is None  # compression


def test_answers_built_from_the_query() -> None:
    message = dns.message.make_query("Blocked.Example", "A", use_edns=0)
    query = wire.parse(message.to_wire())
    assert query is not None
    nx = dns.message.from_wire(wire.answer(query, wire.NXDOMAIN))
    assert message.is_response(nx)
    assert nx.rcode() == dns.rcode.NXDOMAIN and nx.id == message.id
    assert nx.question == message.question and nx.edns == 0
    _, record = wire.address_record("203.0.113.10", 60)
    page = dns.message.from_wire(wire.answer(query, wire.NOERROR, record, 1))
    assert page.answer[0].to_text() == "Blocked.Example. 60 IN A 203.0.113.10"
    tc = dns.message.from_wire(wire.truncated(query))
    assert tc.flags & dns.flags.TC and not tc.answer


def test_scan_finds_ttls_and_drops_opt() -> None:
    query = dns.message.make_query("www.example", "A", use_edns=0)
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.1"))
    response.additional.append(dns.rrset.from_text("ns.example.", 100, "IN", "A", "192.0.2.2"))
    scanned = wire.scan(response.to_wire())
    assert scanned.ttls == (300, 100) and scanned.cache_ttl == 100
    plain = dns.message.from_wire(scanned.body)
    assert plain.edns == -1 and len(plain.additional) == 1
    for offset, ttl in zip(scanned.ttl_offsets, scanned.ttls, strict=True):
        assert wire.TTL.unpack_from(scanned.body, offset)[0] == ttl
    # NXDOMAIN: the SOA's min(TTL, minimum); without an SOA: not kept.
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.NXDOMAIN)
    assert wire.scan(response.to_wire()).cache_ttl == 0
    response.authority.append(
        dns.rrset.from_text("example.", 900, "IN", "SOA", "ns. host. 1 2 3 4 120")
    )
    assert wire.scan(response.to_wire()).cache_ttl == 120
