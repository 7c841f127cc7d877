"""The RPZ feed loads in Unbound (Debian's, on loopback) and blocks what it lists."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype
import pytest

from childsafe.blocklist.tests.conftest import RPZ_ORIGIN
from childsafe.blocklist.tests.unbound import rpz_zonefile, unbound_server

pytestmark = pytest.mark.django_db

BLOCK_HOST = "chan.childsafe.example"


def download(client, bearer) -> str:
    response = client.get("/feeds/authority.rpz", headers=bearer("school_it_admin"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def entries(add):
    add("bad.example")
    add("Ví-Dụ.vn")
    add("https://good.example/one-page")  # a URL: never in the DNS feeds


def test_blocked_names_and_their_subdomains_get_nxdomain(entries, client, bearer, tmp_path):
    zonefile = tmp_path / "authority.rpz"
    zonefile.write_text(download(client, bearer))
    with unbound_server(
        rpz=[rpz_zonefile(RPZ_ORIGIN, zonefile)], local_a={"good.example": "192.0.2.7"}
    ) as server:
        for name in ("bad.example", "www.bad.example", "a.b.bad.example", "xn--v-d-rma6749a.vn"):
            answer = server.query(name)
            assert answer.rcode() == dns.rcode.NXDOMAIN, name
            assert not answer.answer
        allowed = server.query("good.example")
        assert allowed.rcode() == dns.rcode.NOERROR
        assert allowed.answer[0][0].to_text() == "192.0.2.7"


def test_in_cname_mode_blocked_names_lead_to_the_block_page(
    entries, client, bearer, tmp_path, settings
):
    settings.CHILDSAFE_BLOCK_PAGE_HOST = BLOCK_HOST
    zonefile = tmp_path / "authority.rpz"
    zonefile.write_text(download(client, bearer))
    with unbound_server(
        rpz=[rpz_zonefile(RPZ_ORIGIN, zonefile)], local_a={BLOCK_HOST: "192.0.2.80"}
    ) as server:
        for name in ("bad.example", "m.bad.example"):
            answer = server.query(name)
            assert answer.rcode() == dns.rcode.NOERROR, name
            records = {rrset.rdtype: rrset for rrset in answer.answer}
            cname = records[dns.rdatatype.CNAME]
            assert cname.name.to_text() == f"{name}."
            assert cname[0].target.to_text() == f"{BLOCK_HOST}."
            assert records[dns.rdatatype.A][0].to_text() == "192.0.2.80"
