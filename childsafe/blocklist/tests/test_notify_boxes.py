"""The worker job ``filter-notify`` (``policy.notify``): one DNS NOTIFY to a school's box
after each change to its policy, received here by a real UDP socket on loopback; and the
whole chain, central job -> the box on loopback -> the box downloads from the live server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from django.utils import timezone

from childsafe.blocklist.models import QueryLogPeriod, SchoolFilterSettings
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.notify import (
    BoxAddressError,
    box_address_parse,
    filter_notify_due,
    school_zone,
)
from childsafe.cases.management.commands.worker import JOBS, run_jobs
from childsafe.dnsfilter.main import Config
from childsafe.dnsfilter.tests.test_main import run_service, wait_for
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.services import api_token_create
from childsafe.testing import START


class Box:
    """A UDP socket on 127.0.0.1 standing in for a filter box: records each NOTIFY and
    answers with ``rcode`` (None: stays silent)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.received: list[dns.message.Message] = []
        self.rcode: dns.rcode.Rcode | None = dns.rcode.NOERROR
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            message = dns.message.from_wire(data)
            self.received.append(message)
            if self.rcode is not None:
                response = dns.message.make_response(message)
                response.set_rcode(self.rcode)
                self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self.stopping = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def box() -> Iterator[Box]:
    fake = Box()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def admin(personas):
    return personas["school_it_admin"]


def register(school, admin, address: str) -> SchoolFilterSettings:
    return services.school_settings_set(
        school,
        actor=admin,
        block_mode="nxdomain",
        block_ipv4="",
        block_ipv6="",
        default_tier="primary",
        box_notify=address,
    )


def free_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# -- The address ---------------------------------------------------------------------------


def test_box_addresses_are_ip_literals_with_a_port():
    assert box_address_parse("203.0.113.5:53") == ("203.0.113.5", 53)
    assert box_address_parse(" [2001:db8::5]:5353 ") == ("2001:db8::5", 5353)
    assert box_address_parse("203.0.113.5") == ("203.0.113.5", 53)
    assert box_address_parse("2001:db8::5") == ("2001:db8::5", 53)
    for bad in ("box.example:53", "203.0.113.5:0", "203.0.113.5:65536", "[2001:db8::5", "1.2:x"):
        with pytest.raises(BoxAddressError):
            box_address_parse(bad)


# -- The job -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_sends_one_notify_to_the_registered_box(orgs, admin, box):
    register(orgs.school, admin, box.address)
    (settings,) = filter_notify_due()
    assert settings.school_id == orgs.school.pk
    (message,) = box.received
    assert message.opcode() == dns.opcode.NOTIFY
    assert message.question[0].name.to_text() == school_zone(orgs.school.pk)
    assert message.question[0].rdtype == dns.rdatatype.SOA
    assert filter_notify_due() == []  # once per change
    assert len(box.received) == 1

    services.school_deny_add(orgs.school, actor=admin, domain="new.example")
    assert filter_notify_due()
    assert len(box.received) == 2
    assert filter_notify_due() == []


@pytest.mark.django_db
def test_schools_without_a_box_address_get_nothing(orgs, admin, box):
    services.school_deny_add(orgs.school, actor=admin, domain="new.example")
    register(orgs.school, admin, "")
    assert filter_notify_due() == []
    assert box.received == []


@pytest.mark.django_db
def test_an_unreachable_box_does_not_stop_the_job_and_is_not_retried(orgs, admin, caplog):
    register(orgs.school, admin, f"127.0.0.1:{free_port()}")
    with caplog.at_level(logging.WARNING, logger="childsafe.blocklist.policy.notify"):
        assert filter_notify_due(timeout_secs=0.2)
    assert f"school {orgs.school.pk}'s box" in caplog.text
    assert filter_notify_due(timeout_secs=0.2) == []  # one NOTIFY per change, no storm


@pytest.mark.django_db
def test_a_silent_or_refusing_box_is_logged(orgs, admin, box, caplog):
    register(orgs.school, admin, box.address)
    box.rcode = None
    started = time.monotonic()
    assert filter_notify_due(timeout_secs=0.2)
    assert time.monotonic() - started < 2
    assert "Timeout" in caplog.text
    box.rcode = dns.rcode.REFUSED
    services.school_deny_add(orgs.school, actor=admin, domain="new.example")
    assert filter_notify_due(timeout_secs=0.2)
    assert "answered the NOTIFY with REFUSED" in caplog.text


@pytest.mark.django_db
def test_a_province_wide_change_notifies_every_box_in_one_wait(orgs, personas, caplog):
    """Three schools, two boxes answering and one switched off: one pass, one timeout."""
    boxes = [Box(), Box(), Box()]
    try:
        boxes[1].rcode = None  # off for the night
        schools = [orgs.school] + [
            Organisation.objects.create(
                code=f"th-box-{n}",
                name=f"Trường TH {n}",
                kind=OrgKind.SCHOOL,
                parent=orgs.education,
                effective_from=START,
                school_level="primary",
            )
            for n in (1, 2)
        ]
        for school, fake in zip(schools, boxes, strict=True):
            SchoolFilterSettings.objects.create(school=school, box_notify=fake.address)
        services.tier_rule_set(
            actor=personas["education_officer"],
            school=None,
            tier="primary",
            category="gambling",
            is_blocked=True,
        )
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="childsafe.blocklist.policy.notify"):
            notified = filter_notify_due(timeout_secs=0.5)
        assert time.monotonic() - started < 1.5
        assert {row.school_id for row in notified} == {s.pk for s in schools}
        assert [len(fake.received) for fake in boxes] == [1, 1, 1]
        assert caplog.text.count("failed: Timeout") == 1
        assert f"school {schools[1].pk}'s box" in caplog.text
        assert filter_notify_due(timeout_secs=0.5) == []
    finally:
        for fake in boxes:
            fake.close()


@pytest.mark.django_db
def test_a_query_log_period_beginning_and_ending_are_changes(orgs, admin, box):
    now = timezone.now()
    SchoolFilterSettings.objects.create(school=orgs.school, box_notify=box.address)
    period = QueryLogPeriod.objects.create(
        school=orgs.school,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        reason="an incident",
        enabled_by=admin,
    )
    assert filter_notify_due(now)  # it began
    assert filter_notify_due(now) == []
    later = period.ends_at + dt.timedelta(minutes=1)
    assert filter_notify_due(later)  # it ended, with no audit event
    assert len(box.received) == 2


@pytest.mark.django_db
def test_the_worker_runs_the_job(orgs, admin, box):
    assert "filter-notify" in dict(JOBS)
    register(orgs.school, admin, box.address)
    assert run_jobs()["filter-notify"] == 1
    assert run_jobs()["filter-notify"] == 0
    assert len(box.received) == 1


# -- End to end: the job, the box, the live server ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_notify_makes_the_box_download_the_change_at_once(
    orgs, admin, live_server, tmp_path: Path
):
    _token, raw = api_token_create(admin, name="filter box", actor=admin)
    config = Config(
        listen=[("127.0.0.1", 0)],
        upstreams=[("127.0.0.1", 9)],
        server=live_server.url,
        token=raw,
        school=orgs.school.pk,
        state_dir=tmp_path,
        sync_secs=300,
        stats_secs=300,
        notify_from=[ipaddress.ip_network("127.0.0.0/8")],
    )
    got: dict[str, Any] = {}
    stop = run_service(config, lambda s, y: got.update(server=s, sync=y))
    try:
        sync = got["sync"]
        wait_for(lambda: sync.filter.policy is not None)
        host, port = got["server"].addresses[0]
        first = sync.filter.policy.version

        def ask(name: str) -> int:
            query = dns.message.make_query(name, "A")
            return dns.query.udp(query, host, port=port, timeout=3).rcode()

        register(orgs.school, admin, f"{host}:{port}")
        services.school_deny_add(orgs.school, actor=admin, domain="new.example")
        assert filter_notify_due()
        wait_for(lambda: sync.filter.policy.version != first, secs=10)
        assert ask("new.example") == dns.rcode.NXDOMAIN
    finally:
        stop()
