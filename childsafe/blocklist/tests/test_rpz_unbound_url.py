"""Unbound downloads the RPZ feed itself (``rpz: url:``), with the token in the URL."""

from __future__ import annotations

import time

import dns.exception
import dns.rcode
import pytest

from childsafe.blocklist.tests.conftest import RPZ_ORIGIN
from childsafe.blocklist.tests.unbound import unbound_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_unbound_loads_the_feed_from_its_url(add, token, live_server):
    add("bad.example")
    # An address, not "localhost": Unbound would look the name up through itself.
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    url = f"{base}/feeds/authority.rpz?token={token('school_it_admin')}"
    clause = f'    name: "{RPZ_ORIGIN}."\n    url: "{url}"\n'
    with unbound_server(rpz=[clause]) as server:
        rcode = None
        deadline = time.monotonic() + 15
        while rcode != dns.rcode.NXDOMAIN and time.monotonic() < deadline:
            try:  # until the download is in, the name goes to the dead forwarder
                rcode = server.query("www.bad.example", timeout_secs=0.5).rcode()
            except dns.exception.Timeout:
                time.sleep(0.2)
        assert rcode == dns.rcode.NXDOMAIN, server.log()
