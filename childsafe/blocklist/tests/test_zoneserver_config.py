"""The zone server's options (``zoneserver.config``) and the command that reads them."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import dns.message
import dns.query
import dns.rcode
import pytest
from django.core.management import CommandError, call_command

from childsafe.blocklist.management.commands.zoneserver import Command
from childsafe.blocklist.zoneserver.config import (
    LOOPBACK,
    allowed,
    parse_address,
    parse_networks,
    parse_tsig_key,
    parse_tsig_keys,
)

SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="


def test_addresses_take_a_port_or_the_default():
    assert parse_address("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_address("[::1]:5353") == ("::1", 5353)
    assert parse_address("::1") == ("::1", 53)
    assert parse_address("10.0.0.1") == ("10.0.0.1", 53)


@pytest.mark.parametrize("text", ["localhost:53", "1.2.3.4:99999", "1.2.3.4:x", "[::1", ""])
def test_bad_addresses_are_refused(text):
    with pytest.raises(ValueError):
        parse_address(text)


def test_keys_are_name_algorithm_secret():
    key = parse_tsig_key(f"xfr-key:hmac-sha256:{SECRET}")
    assert key.name.to_text() == "xfr-key." and key.algorithm.to_text() == "hmac-sha256."


@pytest.mark.parametrize(
    "text",
    [
        f"xfr:hmac-md5:{SECRET}",  # no longer allowed
        "xfr:hmac-sha256:not base64!",
        "xfr:hmac-sha256:c2hvcnQ=",  # too short
        "xfr:hmac-sha256",
    ],
)
def test_bad_keys_are_refused_without_echoing_the_secret(text):
    with pytest.raises(ValueError) as refused:
        parse_tsig_key(text)
    assert SECRET not in str(refused.value)


def test_a_keyfile_holds_lines_or_bind_clauses():
    text = f"""
# our secondaries
a:hmac-sha256:{SECRET}, b:hmac-sha512:{SECRET}
key "isp-1" {{
    algorithm hmac-sha256;
    secret "{SECRET}";
}};
"""
    assert [k.name.to_text() for k in parse_tsig_keys(text)] == ["isp-1.", "a.", "b."]


def test_networks_and_membership():
    networks = parse_networks(["10.0.0.0/8, 192.0.2.1", "2001:db8::/32"])
    assert allowed("10.1.2.3", networks) and allowed("192.0.2.1", networks)
    assert allowed("::ffff:10.0.0.1", networks)
    assert not allowed("127.0.0.1", networks) and not allowed("nonsense", networks)
    assert allowed("127.0.0.1", LOOPBACK) and allowed("::1", LOOPBACK)
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.0/33"])


def test_the_command_reads_options_and_settings(settings):
    settings.CHILDSAFE_ZONE_NOTIFY = ["127.0.0.1:5399"]
    settings.CHILDSAFE_ZONE_TSIG_KEYS = f"a:hmac-sha256:{SECRET}"
    settings.CHILDSAFE_ZONE_ALLOW_TRANSFER = ["10.0.0.0/8"]
    opts = Command().server_options(
        {
            "listen": ["127.0.0.1:0", "[::1]:5354"],
            "notify": None,
            "tsig_key": None,
            "tsig_keyfile": None,
            "allow_transfer": None,
            "allow_notify": None,
            "poll_ms": 50,
        }
    )
    assert opts.listen == (("127.0.0.1", 0), ("::1", 5354))
    assert opts.notify == (("127.0.0.1", 5399),)
    assert [k.name.to_text() for k in opts.keys] == ["a."]
    assert opts.allow_transfer == parse_networks(["10.0.0.0/8"])
    assert opts.allow_notify == LOOPBACK and opts.poll_secs == 0.05


@pytest.mark.parametrize(
    "argv",
    [
        ["--tsig-key", "nonsense"],
        ["--listen", "somewhere:53"],
        ["--poll-ms", "1"],
        ["--tsig-key", f"a:hmac-sha256:{SECRET}", "--tsig-key", f"a:hmac-sha256:{SECRET}"],
    ],
)
def test_the_command_refuses_bad_options(argv):
    with pytest.raises(CommandError):
        call_command("zoneserver", *argv)


@pytest.mark.django_db(transaction=True)
def test_the_command_serves_until_sigterm(capsys):
    """The command's own loop, in this (the main) thread; SIGTERM ends it cleanly."""
    command = Command()
    opts = command.server_options(
        {
            "listen": ["127.0.0.1:0"],
            "notify": None,
            "tsig_key": None,
            "tsig_keyfile": None,
            "allow_transfer": None,
            "allow_notify": None,
            "poll_ms": 50,
        }
    )
    answers: list[int] = []

    def client() -> None:
        out = ""
        for _ in range(100):
            out = capsys.readouterr().out
            if "listening on" in out:
                break
            threading.Event().wait(0.05)
        port = int(out.split("listening on 127.0.0.1:")[1].split()[0])
        for _ in range(100):
            q = dns.message.make_query("authority.rpz.childsafe.", "SOA")
            rcode = dns.query.udp(q, "127.0.0.1", port=port, timeout=2).rcode()
            if rcode == dns.rcode.NOERROR:
                answers.append(rcode)
                break
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=client)
    thread.start()
    asyncio.run(command.serve(opts))
    thread.join(10)
    assert answers == [dns.rcode.NOERROR]
    assert "zone server stopped" in capsys.readouterr().out
