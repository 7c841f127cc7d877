"""NOTIFY on the box: who may send one, the answers, and the download it starts (the
handler alone, then the whole service on loopback against the fake central server)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import struct
import threading
import time
from typing import Any

import dns.asyncquery
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.tsigkeyring
import pytest

from childsafe.dnsfilter.main import parse_args
from childsafe.dnsfilter.notify import NotifyHandler, is_allowed, parse_networks
from childsafe.dnsfilter.server import Filter, FilterServer
from childsafe.dnsfilter.sync import Link, PolicySync, Response, http
from childsafe.dnsfilter.tests.test_main import GOOD, ask, config_for, run_service, wait_for
from childsafe.dnsfilter.tests.test_sync import SCHOOL, TOKEN
from childsafe.dnsfilter.tests.test_sync import central as central  # the fixture
from childsafe.dnsfilter.upstream import Resolver

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]
ZONE = f"school{SCHOOL}.policy.childsafe."


def notify(name: str = ZONE, rdtype: str = "SOA") -> dns.message.Message:
    message = dns.message.make_query(name, rdtype)
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags = dns.flags.AA | dns.opcode.to_flags(dns.opcode.NOTIFY)
    return message


def malformed(qid: int = 0x1234) -> bytes:
    """A NOTIFY header announcing a question that is cut short."""
    return struct.pack("!HHHHHH", qid, 0x2400, 1, 0, 0, 0) + b"\x07school"


def send(address: tuple[str, int], data: bytes | dns.message.Message) -> dns.message.Message:
    """One datagram out, its answer back (raw: ``dns.query`` would not send a bad one)."""
    wire = data.to_wire() if isinstance(data, dns.message.Message) else data
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(wire, address)
        reply, _ = sock.recvfrom(65535)
    return dns.message.from_wire(reply)


# -- The handler -------------------------------------------------------------------------


def handler(networks: Any = LOOPBACK) -> tuple[NotifyHandler, asyncio.Event]:
    wake = asyncio.Event()
    return NotifyHandler(networks, wake), wake


def test_an_accepted_notify_is_answered_and_wakes_the_sync():
    notify_handler, wake = handler()
    message = notify()
    reply = dns.message.from_wire(notify_handler(message.to_wire(), "127.0.0.1"))
    assert reply.id == message.id
    assert reply.opcode() == dns.opcode.NOTIFY
    assert reply.flags & dns.flags.QR and reply.flags & dns.flags.AA
    assert reply.rcode() == dns.rcode.NOERROR
    assert reply.question == message.question
    assert wake.is_set()


def test_a_notify_from_elsewhere_is_refused_and_wakes_nothing(caplog):
    notify_handler, wake = handler([ipaddress.ip_network("10.0.0.0/8")])
    for _ in range(3):
        wire = notify_handler(notify().to_wire(), "192.0.2.9")
        assert wire is not None
        reply = dns.message.from_wire(wire)
        assert reply.rcode() == dns.rcode.REFUSED
        assert reply.flags & dns.flags.QR and reply.opcode() == dns.opcode.NOTIFY
    assert not wake.is_set()
    assert caplog.text.count("NOTIFY from outside --notify-from from 192.0.2.9") == 1


def test_without_notify_from_every_notify_is_refused():
    notify_handler, wake = handler([])
    wire = notify_handler(notify().to_wire(), "127.0.0.1")
    assert wire is not None and dns.message.from_wire(wire).rcode() == dns.rcode.REFUSED
    assert not wake.is_set()


def test_a_malformed_notify_gets_formerr_logged_once_without_its_content(caplog):
    notify_handler, wake = handler()
    for _ in range(3):
        wire = notify_handler(malformed(), "127.0.0.1")
        assert wire is not None
        qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", wire)
        assert (qid, qd, an, ns, ar) == (0x1234, 0, 0, 0, 0)
        assert flags & 0x8000 and flags & 0x0400  # QR, AA
        assert (flags >> 11) & 0xF == dns.opcode.NOTIFY
        assert flags & 0xF == dns.rcode.FORMERR
    assert not wake.is_set()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "school" not in caplog.text
    assert notify_handler(b"\x00\x01", "127.0.0.1") is None  # not even a header


@pytest.mark.parametrize("case", ["A question", "no question", "two questions"])
def test_a_notify_without_one_soa_question_gets_formerr(case):
    notify_handler, wake = handler()
    message = notify(rdtype="A" if case == "A question" else "SOA")
    if case == "no question":
        message.question = []
    elif case == "two questions":
        message.question.append(notify("other.example.").question[0])
    wire = notify_handler(message.to_wire(), "127.0.0.1")
    assert wire is not None
    reply = dns.message.from_wire(wire)
    assert reply.rcode() == dns.rcode.FORMERR
    assert reply.id == message.id and reply.opcode() == dns.opcode.NOTIFY
    assert not wake.is_set()


def test_a_signed_notify_is_refused():
    notify_handler, wake = handler()
    message = notify()
    message.use_tsig(dns.tsigkeyring.from_text({"k.": "aGVsbG8gd29ybGQ="}))
    wire = notify_handler(message.to_wire(), "127.0.0.1")
    assert wire is not None
    assert struct.unpack_from("!H", wire, 2)[0] & 0xF == dns.rcode.REFUSED
    assert not wake.is_set()


def test_sources_match_networks_mapped_and_scoped_addresses_too():
    networks = parse_networks(["203.0.113.5", "2001:db8::/64"])
    assert is_allowed("203.0.113.5", networks)
    assert is_allowed("::ffff:203.0.113.5", networks)
    assert is_allowed("2001:db8::7", networks)
    assert not is_allowed("203.0.113.6", networks)
    assert not is_allowed("fe80::1%eth0", networks)
    assert not is_allowed("not an address", networks)
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.1/8"])  # host bits set: a typo, not a network


# -- The option ----------------------------------------------------------------------------


def test_notify_from_takes_lists_and_an_environment_variable(monkeypatch):
    argv = [*GOOD, "--token", "t"]
    assert parse_args(argv).notify_from == []
    config = parse_args([*argv, "--notify-from", "203.0.113.5/32,2001:db8::/64"])
    assert [str(n) for n in config.notify_from] == ["203.0.113.5/32", "2001:db8::/64"]
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_NOTIFY_FROM", "198.51.100.0/24")
    assert [str(n) for n in parse_args(argv).notify_from] == ["198.51.100.0/24"]


def test_a_bad_notify_from_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as exit:
        parse_args([*GOOD, "--token", "t", "--notify-from", "province.example"])
    assert exit.value.code == 2
    assert "--notify-from" in capsys.readouterr().err


# -- The whole service -------------------------------------------------------------------


def gets(central) -> int:
    return sum(1 for method, path, _ in central.requests if method == "GET")


def test_a_notify_from_the_central_server_downloads_the_new_policy_at_once(
    tmp_path, document, upstream, central
):
    central.document = document
    upstream.add("fine.example", "A", "192.0.2.7")
    config = config_for(central.url, tmp_path, upstream)  # --sync-secs 300
    config.notify_from = LOOPBACK
    got: dict[str, Any] = {}
    stop = run_service(config, lambda s, y: got.update(server=s, sync=y))
    try:
        sync = got["sync"]
        wait_for(lambda: sync.filter.policy is not None)
        address = got["server"].addresses[0]
        assert ask(address, "deny.example").rcode() == dns.rcode.NXDOMAIN
        central.document = dict(document, version="v2", deny=["new.example"])
        reply = send(address, notify())
        assert reply.rcode() == dns.rcode.NOERROR
        wait_for(lambda: sync.filter.policy.version == "v2", secs=5)
        assert ask(address, "new.example").rcode() == dns.rcode.NXDOMAIN
        assert ask(address, "fine.example").rcode() == dns.rcode.NOERROR
    finally:
        stop()


def test_the_service_refuses_notify_by_default_and_keeps_answering(
    tmp_path, document, upstream, central
):
    central.document = document
    upstream.add("fine.example", "A", "192.0.2.7")
    got: dict[str, Any] = {}
    stop = run_service(
        config_for(central.url, tmp_path, upstream), lambda s, y: got.update(server=s, sync=y)
    )
    try:
        wait_for(lambda: got["sync"].filter.policy is not None)
        address = got["server"].addresses[0]
        before = gets(central)
        assert send(address, notify()).rcode() == dns.rcode.REFUSED
        time.sleep(0.3)
        assert gets(central) == before  # no download
        assert ask(address, "fine.example").rcode() == dns.rcode.NOERROR
    finally:
        stop()


def test_bad_notifies_get_formerr_and_the_service_goes_on(tmp_path, document, upstream, central):
    central.document = document
    upstream.add("fine.example", "A", "192.0.2.7")
    config = config_for(central.url, tmp_path, upstream)
    config.notify_from = LOOPBACK
    got: dict[str, Any] = {}
    stop = run_service(config, lambda s, y: got.update(server=s, sync=y))
    try:
        wait_for(lambda: got["sync"].filter.policy is not None)
        address = got["server"].addresses[0]
        before = gets(central)
        assert send(address, malformed()).rcode() == dns.rcode.FORMERR
        assert send(address, notify(rdtype="A")).rcode() == dns.rcode.FORMERR
        time.sleep(0.3)
        assert gets(central) == before
        answer = ask(address, "fine.example")
        assert answer.rcode() == dns.rcode.NOERROR
        assert answer.answer[0][0].to_text() == "192.0.2.7"
        assert ask(address, "adult.example").rcode() == dns.rcode.NXDOMAIN
    finally:
        stop()


def test_notifies_during_a_download_give_one_more_download(tmp_path, document, upstream, central):
    """Ten NOTIFYs while a download hangs: one more download after it, not ten."""
    central.document = document
    calls: list[float] = []
    gate = threading.Event()
    gate.set()

    def transport(*args: Any, **kwargs: Any) -> Response:
        calls.append(time.monotonic())
        assert gate.wait(10)
        return http(*args, **kwargs)

    async def main() -> int:
        flt = Filter(Resolver([upstream.address]))
        sync = PolicySync(
            flt, Link(central.url, TOKEN, SCHOOL, timeout=5, transport=transport), tmp_path
        )
        wake = asyncio.Event()
        flt.on_notify = NotifyHandler(LOOPBACK, wake)
        server = FilterServer(flt, [("127.0.0.1", 0)])
        await server.start()
        host, port = server.addresses[0]
        task = asyncio.create_task(sync.run(300, wake, min_gap_secs=0.05))
        try:
            while len(calls) < 1 or flt.policy is None:
                await asyncio.sleep(0.01)
            gate.clear()  # the next download hangs until the gate opens
            reply = await dns.asyncquery.udp(notify(), host, port=port, timeout=3)
            assert reply.rcode() == dns.rcode.NOERROR
            while len(calls) < 2:
                await asyncio.sleep(0.01)
            for _ in range(10):
                reply = await dns.asyncquery.udp(notify(), host, port=port, timeout=3)
                assert reply.rcode() == dns.rcode.NOERROR
            gate.set()
            while len(calls) < 3:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)
            return len(calls)
        finally:
            gate.set()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await server.stop()

    assert asyncio.run(main()) == 3
