"""GET /feeds/authority.{rpz,hosts,txt,json}: formats, tokens, ETag and 304."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.blocklist import services
from childsafe.blocklist.tests.conftest import RPZ_ORIGIN
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_serial

pytestmark = pytest.mark.django_db

FEEDS = ["authority.rpz", "authority.hosts", "authority.txt", "authority.json"]
START = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
IDN = "xn--v-d-rma6749a.vn"


@pytest.fixture
def entries(add, officer):
    """Active: a domain, a subdomain, an IDN, a URL; gone: one lifted, one expired."""
    with time_machine.travel(START, tick=False):
        add("bad.example", reason="csam")
        add("sub.bad.example", reason="scam")
        add("Ví-Dụ.vn", reason="grooming")
        add("https://social.example/u/123?utm_source=x", reason="sextortion", note="Private")
        lifted = add("lifted.example")
        services.entry_lift(lifted, actor=officer, decision="mistake")
        add("expired.example", expires_at=START + dt.timedelta(hours=1))
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        services.entries_expire_next()


def get(client, bearer, feed, role="school_it_admin", **headers):
    return client.get(f"/feeds/{feed}", headers={**bearer(role), **headers})


def body_lines(response) -> list[str]:
    return [line for line in response.content.decode().splitlines() if line]


# --- Formats -----------------------------------------------------------------------------


def test_the_rpz_holds_the_domains_as_name_and_wildcard(entries, client, bearer):
    response = get(client, bearer, "authority.rpz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/dns"
    text = response.content.decode()
    assert f"$ORIGIN {RPZ_ORIGIN}.\n" in text
    records = [line for line in body_lines(response) if " CNAME " in line]
    assert sorted(records) == sorted(
        [
            "bad.example CNAME .",
            "*.bad.example CNAME .",
            f"{IDN} CNAME .",
            f"*.{IDN} CNAME .",
        ]
    )  # sub.bad.example is covered by bad.example; URLs, lifted and expired are absent
    assert f"SOA localhost. hostmaster.localhost. {zone_serial(AUTHORITY_ZONE)} " in text


def test_the_rpz_passes_named_checkzone_in_both_modes(entries, client, bearer, tmp_path, settings):
    if not shutil.which("named-checkzone"):
        pytest.skip("named-checkzone is missing (Debian package bind9-utils)")
    for block_host in ("", "chan.childsafe.example"):
        settings.CHILDSAFE_BLOCK_PAGE_HOST = block_host
        response = get(client, bearer, "authority.rpz")
        path = tmp_path / "authority.rpz"
        path.write_bytes(response.content)
        checked = subprocess.run(
            ["/usr/bin/named-checkzone", "-i", "local", RPZ_ORIGIN, str(path)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        target = f"{block_host}." if block_host else "."
        assert f"bad.example CNAME {target}\n" in response.content.decode()


def test_the_hosts_file_lists_every_domain(entries, client, bearer):
    response = get(client, bearer, "authority.hosts")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = body_lines(response)
    assert any("cannot hold wildcards" in line for line in lines if line.startswith("#"))
    assert [line for line in lines if not line.startswith("#")] == [
        "0.0.0.0 bad.example",
        "0.0.0.0 sub.bad.example",
        f"0.0.0.0 {IDN}",
    ]


def test_the_plain_list_is_one_domain_per_line(entries, client, bearer):
    response = get(client, bearer, "authority.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"bad.example\nsub.bad.example\n{IDN}\n"


def test_the_json_feed_has_active_entries_with_reasons_and_no_notes(entries, client, bearer):
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        response = get(client, bearer, "authority.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"serial", "generated_at", "entries"}
    assert data["serial"] == zone_serial(AUTHORITY_ZONE)
    assert data["generated_at"] == "2026-03-01T11:00:00+00:00"
    assert [(e["kind"], e["value"], e["reason"]) for e in data["entries"]] == [
        ("domain", "bad.example", "csam"),
        ("domain", "sub.bad.example", "scam"),
        ("domain", IDN, "grooming"),
        ("url", "https://social.example/u/123", "sextortion"),
    ]
    assert set(data["entries"][0]) == {"kind", "value", "reason", "added_at", "expires_at"}
    assert data["entries"][0]["added_at"] == "2026-03-01T08:00:00+00:00"
    assert data["entries"][0]["expires_at"] is None
    assert "Private" not in response.content.decode()


def test_feeds_of_an_empty_list_are_valid(client, bearer, db, personas):
    assert get(client, bearer, "authority.txt").content == b""
    assert get(client, bearer, "authority.json").json()["entries"] == []
    rpz = get(client, bearer, "authority.rpz").content.decode()
    assert " CNAME " not in rpz and " SOA " in rpz


# --- ETag and 304 -------------------------------------------------------------------------


@pytest.mark.parametrize("feed", FEEDS)
def test_an_unchanged_feed_answers_304_without_a_body(entries, client, bearer, feed):
    first = get(client, bearer, feed)
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-cache"
    again = get(client, bearer, feed, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert get(client, bearer, feed, **{"If-None-Match": '"other", ' + etag}).status_code == 304
    assert get(client, bearer, feed, **{"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("feed", FEEDS)
def test_a_change_gives_a_new_etag(entries, client, bearer, add, feed):
    etag = get(client, bearer, feed)["ETag"]
    add("new.example")
    changed = get(client, bearer, feed, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_dns_etag_is_strong_and_names_the_serial_and_mode(entries, client, bearer, settings):
    etag = get(client, bearer, "authority.rpz")["ETag"]
    serial = zone_serial(AUTHORITY_ZONE)
    assert etag == f'"authority-{serial}-nxdomain"'
    settings.CHILDSAFE_BLOCK_PAGE_HOST = "chan.childsafe.example"
    # The mode changed: the zone starts a new serial so secondaries take it whole.
    assert get(client, bearer, "authority.rpz")["ETag"] == f'"authority-{serial + 1}-cname"'


def test_the_json_etag_follows_url_entries_too(entries, client, bearer, add, officer):
    etag = get(client, bearer, "authority.json")["ETag"]
    assert etag.startswith('W/"')
    url = add("https://other.example/x")
    second = get(client, bearer, "authority.json", **{"If-None-Match": etag})
    assert second.status_code == 200
    services.entry_lift(url, actor=officer, decision="mistake")
    third = get(client, bearer, "authority.json", **{"If-None-Match": second["ETag"]})
    assert third.status_code == 200
    assert third["ETag"] not in (etag, second["ETag"])


def test_the_json_etag_changes_when_an_entry_expires(add, client, bearer):
    with time_machine.travel(START, tick=False):
        add("https://soon.example/x", expires_at=START + dt.timedelta(hours=1))
        etag = get(client, bearer, "authority.json")["ETag"]
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        response = get(client, bearer, "authority.json", **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["entries"] == []


# --- Tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ict_officer", "school_it_admin", "provider_contact"])
def test_roles_with_feed_read_download_with_a_bearer_token(entries, client, bearer, role):
    assert get(client, bearer, "authority.txt", role=role).status_code == 200


def test_the_token_may_come_in_the_query_string(entries, client, token):
    raw = token("provider_contact")
    response = client.get(f"/feeds/authority.rpz?token={raw}")
    assert response.status_code == 200
    assert b"bad.example CNAME" in response.content


@pytest.mark.parametrize("feed", FEEDS)
def test_no_token_or_a_wrong_one_is_401(db, client, feed):
    assert client.get(f"/feeds/{feed}").status_code == 401
    assert client.get(f"/feeds/{feed}?token=cs_wrong").status_code == 401
    bad = {"Authorization": "Bearer cs_wrong"}
    assert client.get(f"/feeds/{feed}", headers=bad).status_code == 401


def test_a_header_token_wins_over_the_query_string(client, token):
    raw = token("school_it_admin")
    bad = {"Authorization": "Bearer cs_wrong"}
    assert client.get(f"/feeds/authority.txt?token={raw}", headers=bad).status_code == 401


@pytest.mark.parametrize("role", ["hotline_operator", "province_coordinator", "auditor"])
def test_roles_without_feed_read_get_403(db, client, bearer, token, role):
    assert get(client, bearer, "authority.rpz", role=role).status_code == 403
    assert client.get(f"/feeds/authority.json?token={token(role)}").status_code == 403


def test_a_post_is_refused(db, client, bearer):
    assert client.post("/feeds/authority.txt", headers=bearer("ict_officer")).status_code == 405


def test_feed_downloads_are_not_audited(entries, client, bearer):
    headers = bearer("school_it_admin")
    before = AuditEvent.objects.count()
    for feed in FEEDS:
        assert client.get(f"/feeds/{feed}", headers=headers).status_code == 200
    assert AuditEvent.objects.count() == before
