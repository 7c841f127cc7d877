"""``childsafe unbound-config``: the configuration it prints, unbound-checkconf, and
Debian's Unbound on loopback applying each tier's zone to clients by source address."""

from __future__ import annotations

import io
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import time_machine
from django.core.management import CommandError, call_command

from childsafe.blocklist.models import SchoolNetwork
from childsafe.blocklist.tests.test_policy_rpz import MONDAY_LESSON, make_policy
from childsafe.blocklist.tests.unbound import free_port, require_unbound, run_unbound

pytestmark = pytest.mark.django_db

CHECKCONF = "/usr/sbin/unbound-checkconf"
# The root zone's key signing key (2017), as a DS record: public, and all Unbound needs.
ROOT_ANCHOR = (
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
)
TIERS = {
    "127.0.0.2": "primary",
    "127.0.0.3": "lower_secondary",
    "127.0.0.4": "upper_secondary",
    "127.0.0.5": "staff",
}


@pytest.fixture
def policy(personas, orgs, add):
    school = make_policy(personas, orgs.school, add)
    for address, tier in TIERS.items():
        SchoolNetwork.objects.create(school=school, cidr=f"{address}/32", tier=tier)
    SchoolNetwork.objects.create(school=school, cidr="10.10.0.0/16", tier="staff")
    return school


def run(**options) -> str:
    out = io.StringIO()
    call_command("unbound_config", stdout=out, **options)
    return out.getvalue()


def checkconf(path: Path) -> subprocess.CompletedProcess[str]:
    require_unbound()
    return subprocess.run([CHECKCONF, str(path)], capture_output=True, text=True)  # noqa: S603


def test_it_prints_a_configuration_fetching_the_zones_from_the_feeds(policy, tmp_path):
    anchor = tmp_path / "root.key"
    anchor.write_text(ROOT_ANCHOR)
    text = run(
        school=policy.pk,
        feed_url="https://childsafe.example/",
        token="cs_abc",
        trust_anchor=str(anchor),
    )
    assert f'auto-trust-anchor-file: "{anchor}"' in text
    assert 'define-tag: "primary lower_secondary upper_secondary staff"' in text
    assert "access-control: 10.10.0.0/16 allow" in text
    assert 'access-control-tag: 10.10.0.0/16 "staff"' in text
    assert 'access-control-tag: 127.0.0.2/32 "primary"' in text
    assert 'access-control-tag: 127.0.0.0/8 "primary"' in text  # the default tier
    assert 'url: "https://childsafe.example/feeds/authority.rpz?token=cs_abc"' in text
    assert (
        f'url: "https://childsafe.example/feeds/school/{policy.pk}/lower_secondary.rpz'
        '?token=cs_abc"' in text
    )
    assert 'tags: "upper_secondary"' in text
    # The authority zone comes first and applies to every client (no tags).
    clauses = text.split("rpz:\n")[1:]
    assert 'name: "authority.rpz.childsafe."' in clauses[0]
    assert "tags:" not in clauses[0]
    assert len(clauses) == 5
    path = tmp_path / "unbound.conf"
    path.write_text(text)
    checked = checkconf(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_with_zonefiles_it_writes_the_zones_and_loads_them(policy, tmp_path):
    zones = tmp_path / "zones"
    text = run(
        school=policy.pk,
        zonefiles=str(zones),
        interface=["127.0.0.1"],
        port=5353,
        no_dnssec=True,
    )
    names = sorted(p.name for p in zones.iterdir())
    assert names == sorted(
        ["authority.rpz.childsafe.rpz"]
        + [
            f"{tier}.school{policy.pk}.policy.childsafe.rpz"
            for tier in ("primary", "lower-secondary", "upper-secondary", "staff")
        ]
    )
    assert f'zonefile: "{zones.resolve()}/primary.school{policy.pk}.policy.childsafe.rpz"' in text
    assert "url:" not in text
    assert 'module-config: "respip iterator"' in text
    assert "interface: 127.0.0.1\n    port: 5353" in text
    path = tmp_path / "unbound.conf"
    path.write_text(text)
    checked = checkconf(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_it_needs_a_school_and_a_source_for_the_zones(policy, orgs):
    with pytest.raises(CommandError, match="no school"):
        run(school=orgs.ict.pk, zonefiles="/tmp/x")  # noqa: S108
    with pytest.raises(CommandError, match="--feed-url"):
        run(school=policy.pk)


# --- Unbound on loopback ---------------------------------------------------------------

ANSWERED = "192.0.2.7"


@contextmanager
def fake_upstream() -> Iterator[int]:
    """A DNS server on 127.0.0.1 answering every A query with ``ANSWERED`` (Unbound
    applies RPZ after local data, so names that pass must come from an upstream)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.RA
            question = query.question[0]
            if question.rdtype == dns.rdatatype.A:
                response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", ANSWERED))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        sock.close()


@pytest.fixture
def upstream() -> Iterator[int]:
    with fake_upstream() as port:
        yield port


def test_unbound_applies_each_tiers_zone_by_client_address(policy, tmp_path, upstream):
    require_unbound()
    port, dead_port = free_port(), free_port()
    with time_machine.travel(MONDAY_LESSON, tick=False):  # upper secondary: games now
        text = run(
            school=policy.pk,
            zonefiles=str(tmp_path / "zones"),
            interface=["127.0.0.1"],
            port=port,
            no_dnssec=True,
        )
    # Test-only settings: stay in the foreground in the temporary folder, and never send
    # a packet off loopback (the only upstream is a dead loopback port).
    text += f"""
server:
    outgoing-interface: 127.0.0.1
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{tmp_path}"
    pidfile: "{tmp_path}/unbound.pid"
    use-syslog: no
    logfile: "{tmp_path}/unbound.log"
    num-threads: 1
    so-reuseport: no
    do-not-query-localhost: no
    qname-minimisation: no

remote-control:
    control-enable: no

forward-zone:
    name: "."
    forward-addr: 127.0.0.1@{dead_port}

forward-zone:
    name: "example."
    forward-addr: 127.0.0.1@{upstream}
"""
    config = tmp_path / "unbound.conf"
    config.write_text(text)

    blocked_for = {
        "primary": {"adult.example", "game.example", "social.example"},
        "lower_secondary": {"adult.example", "game.example"},
        "upper_secondary": {"adult.example", "game.example"},  # games: in lessons
        "staff": set(),
    }
    with run_unbound(config, workdir=tmp_path, port=port) as server:

        def rcode(name: str, source: str) -> tuple[int, list[str]]:
            answer = server.query(name, source=source)
            return answer.rcode(), [rd.to_text() for rrset in answer.answer for rd in rrset]

        for source, tier in {**TIERS, "127.0.0.1": "primary"}.items():
            for name in ("adult.example", "game.example", "social.example"):
                expected = (
                    (dns.rcode.NXDOMAIN, [])
                    if name in blocked_for[tier]
                    else (dns.rcode.NOERROR, [ANSWERED])
                )
                assert rcode(name, source) == expected, (tier, name)
            # Every tier: the authority and the deny list block, the allow list passes.
            for name in ("bad.example", "www.bad.example", "evil.edu.example", "deny.example"):
                assert rcode(name, source)[0] == dns.rcode.NXDOMAIN, (tier, name)
            assert rcode("learn.game.example", source) == (dns.rcode.NOERROR, [ANSWERED]), tier
            assert (
                rcode("www.game.example", source)[0]
                == (
                    dns.rcode.NXDOMAIN
                    if "game.example" in blocked_for[tier]
                    else dns.rcode.SERVFAIL
                )
                or "game.example" not in blocked_for[tier]
            )
