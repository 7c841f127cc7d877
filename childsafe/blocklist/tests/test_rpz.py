"""The text forms of the authority list (blocklist/rpz.py): pure functions."""

from __future__ import annotations

import logging
import shutil
import subprocess

import dns.rdatatype
import dns.zone
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from childsafe.blocklist.rpz import (
    SOA_EXPIRE_SECS,
    render_hosts,
    render_rpz,
    render_txt,
    rpz_domains,
    rpz_max_domain_chars,
    valid_domains,
)
from childsafe.blocklist.zones import RpzMode
from childsafe.lib.domains import minimal_cover

ORIGIN = "authority.rpz.childsafe"
NAMED_CHECKZONE = "/usr/bin/named-checkzone"


def parse(text: str) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=ORIGIN, relativize=True, check_origin=True)


def cnames(zone: dns.zone.Zone) -> dict[str, str]:
    return {
        name.to_text(): rdataset[0].target.to_text()
        for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.CNAME)
    }


def named_checkzone(tmp_path, text: str) -> subprocess.CompletedProcess[str]:
    if not shutil.which(NAMED_CHECKZONE):
        pytest.skip("named-checkzone is missing (Debian package bind9-utils)")
    path = tmp_path / "authority.rpz"
    path.write_text(text)
    # -i local: check the zone's own records, and never look a name up outside it.
    return subprocess.run(
        [NAMED_CHECKZONE, "-i", "local", ORIGIN, str(path)], capture_output=True, text=True
    )


# --- RPZ ---------------------------------------------------------------------------------


def test_it_writes_the_name_and_its_wildcard_for_each_domain():
    text = render_rpz(
        ["bad.example", "xn--v-d-rma6749a.vn"], serial=7, origin=ORIGIN, mode=RpzMode.NXDOMAIN
    )
    zone = parse(text)
    assert cnames(zone) == {
        "bad.example": ".",
        "*.bad.example": ".",
        "xn--v-d-rma6749a.vn": ".",
        "*.xn--v-d-rma6749a.vn": ".",
    }
    soa = zone.get_rdataset("@", "SOA")[0]
    assert (soa.serial, soa.expire) == (7, SOA_EXPIRE_SECS)
    assert zone.get_rdataset("@", "NS")[0].target.to_text() == "localhost."
    assert text.startswith("; ChildSafe authority list")


def test_cname_mode_points_at_the_block_page_host(settings):
    settings.CHILDSAFE_BLOCK_PAGE_HOST = "chan.childsafe.example"
    zone = parse(render_rpz(["bad.example"], serial=2, origin=ORIGIN, mode=RpzMode.CNAME))
    assert cnames(zone) == {
        "bad.example": "chan.childsafe.example.",
        "*.bad.example": "chan.childsafe.example.",
    }


def test_names_under_a_blocked_parent_and_duplicates_are_left_out():
    text = render_rpz(
        ["a.bad.example", "bad.example", "x.y.bad.example", "bad.example", "good.example"],
        serial=3,
        origin=ORIGIN,
        mode=RpzMode.NXDOMAIN,
    )
    assert set(cnames(parse(text))) == {
        "bad.example",
        "*.bad.example",
        "good.example",
        "*.good.example",
    }


def test_serial_zero_is_written_as_one():
    soa = parse(render_rpz([], serial=0, origin=ORIGIN, mode=RpzMode.NXDOMAIN)).get_rdataset(
        "@", "SOA"
    )
    assert soa[0].serial == 1


def test_one_serial_gives_the_same_bytes_whatever_the_order():
    names = [f"n{i}.example" for i in range(50)]
    first = render_rpz(names, serial=4, origin=ORIGIN, mode=RpzMode.NXDOMAIN)
    second = render_rpz(reversed(names), serial=4, origin=ORIGIN, mode=RpzMode.NXDOMAIN)
    assert first == second


def test_names_a_zone_cannot_carry_are_dropped_and_counted_not_named(caplog):
    caplog.set_level(logging.WARNING, logger="childsafe.blocklist.rpz")
    too_long = ".".join(["a" * 60] * 4)  # 243 characters: a domain, but not under the origin
    names = [
        "bad.example",
        "UPPER.example",
        "single",
        "",
        "bad..example",
        "-bad.example",
        "bad-.example",
        "b@d.example",
        "x" * 64 + ".example",
        too_long,
        "evil.rpz-ip",
        "1.0.0.127.rpz-nsip",
        "ví.vn",
    ]
    assert rpz_domains(names, origin=ORIGIN) == ["bad.example"]
    assert "12 invalid domain(s) left out" in caplog.text
    assert "UPPER" not in caplog.text
    assert len(too_long) <= 253 and len(too_long) > rpz_max_domain_chars(ORIGIN)
    assert too_long in valid_domains([too_long])  # a hosts file may carry it


@pytest.mark.parametrize(
    "names", [[""], ["", ""], ["."], ["-"], ["a"], ["a\nb.example"], ["a.b\n", "\nc.d"]]
)
def test_nothing_but_bad_names_gives_an_empty_zone(names):
    assert rpz_domains(names, origin=ORIGIN) == []
    assert render_txt(names) == ""


def test_the_zone_passes_named_checkzone_in_both_modes(tmp_path, settings):
    settings.CHILDSAFE_BLOCK_PAGE_HOST = "chan.childsafe.example"
    names = ["bad.example", "a.bad.example", "xn--v-d-rma6749a.vn", "_dmarc.example.com"]
    longest = ".".join(["b" * 60, "c" * 60, "d" * 60, "e" * 40])[: rpz_max_domain_chars(ORIGIN)]
    names.append(longest.rstrip("."))
    for mode in (RpzMode.NXDOMAIN, RpzMode.CNAME):
        checked = named_checkzone(tmp_path, render_rpz(names, serial=12, origin=ORIGIN, mode=mode))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "loaded serial 12" in checked.stdout


def test_an_empty_zone_passes_named_checkzone(tmp_path):
    checked = named_checkzone(tmp_path, render_rpz([], serial=0, origin=ORIGIN, mode="nxdomain"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=20)
_names = st.lists(
    st.lists(_label, min_size=1, max_size=4).map(lambda labels: ".".join(labels))
    | st.text(max_size=12),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_names)
def test_any_input_gives_a_zone_of_its_valid_names_cover(names):
    text = render_rpz(names, serial=5, origin=ORIGIN, mode=RpzMode.NXDOMAIN)
    written = {name for name in cnames(parse(text)) if not name.startswith("*.")}
    valid = set(valid_domains(names, max_chars=rpz_max_domain_chars(ORIGIN)))
    assert written == minimal_cover(valid)
    assert all(name.count(".") >= 1 for name in written)
    assert set(valid) <= set(names)


# --- hosts and plain list ------------------------------------------------------------------


def test_the_hosts_file_lists_every_name_with_a_warning_about_wildcards():
    text = render_hosts(["b.example", "a.b.example", "b.example", "Bad"], serial=9)
    lines = text.splitlines()
    assert lines[0] == "# ChildSafe authority list in hosts format, serial 9."
    assert any("cannot hold wildcards" in line for line in lines if line.startswith("#"))
    assert [line for line in lines if not line.startswith("#")] == [
        "0.0.0.0 a.b.example",
        "0.0.0.0 b.example",
    ]


def test_an_empty_hosts_file_has_its_header_only():
    assert all(line.startswith("#") for line in render_hosts([], serial=1).splitlines())


def test_the_plain_list_is_one_domain_per_line_and_nothing_else():
    assert render_txt(["b.example", "a.b.example", "b.example", "not valid"]) == (
        "a.b.example\nb.example\n"
    )
    assert render_txt([]) == ""
