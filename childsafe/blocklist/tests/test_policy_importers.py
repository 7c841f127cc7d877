"""Parsers of category list files: each format, detection, invalid lines, refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childsafe.blocklist.policy.importers import ImportFormatError, decode_upload, parse_list

LABEL = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
DOMAINS = st.lists(
    st.tuples(LABEL, LABEL).map(lambda t: f"{t[0]}.{t[1]}.example"), min_size=1, max_size=30
)


def test_it_reads_a_hosts_file_with_comments_and_several_names():
    text = (
        "# StevenBlack-style\n127.0.0.1 localhost\n::1 localhost\n"
        "0.0.0.0 Ads.Example  # trailing\n127.0.0.1 b.example c.example\n0.0.0.0 bad..name\n"
    )
    result = parse_list(text)
    assert result.file_format == "hosts"
    assert result.domains == ["ads.example", "b.example", "c.example"]
    assert result.invalid == 1


def test_it_reads_a_plain_list_and_makes_names_canonical():
    result = parse_list("# list\na.example\n*.B.example.\nVí-dụ.vn\nhttp://x.example/p\n")
    assert result.file_format == "plain"
    assert result.domains == ["a.example", "b.example", "xn--v-d-rma6749a.vn"]
    assert result.invalid == 1


def test_it_reads_adblock_network_rules_and_counts_what_it_skips():
    text = (
        "[Adblock Plus 2.0]\n! Title: x\n||ads.example^\n||track.example^|\n"
        "||paths.example/banner^\n||opt.example^$third-party\n@@||ok.example^\n##.banner\n"
        "example.org##.ad\n"
    )
    result = parse_list(text)
    assert result.file_format == "adblock"
    assert result.domains == ["ads.example", "track.example"]
    assert result.skipped == 5


def test_it_reads_rpz_block_records_and_skips_the_rest():
    text = (
        "$TTL 300\n@ IN SOA localhost. root.localhost. 1 3600 600 86400 60\n"
        "  IN NS localhost.\nbad.example CNAME .\n*.bad.example CNAME .\n"
        "porn.example. 300 IN CNAME .\nok.example CNAME rpz-passthru.\n; comment\n"
    )
    result = parse_list(text)
    assert result.file_format == "rpz"
    assert result.domains == ["bad.example", "porn.example"]
    assert result.skipped >= 2


def test_a_file_in_no_known_format_is_refused():
    with pytest.raises(ImportFormatError) as exc:
        parse_list("<html>\n<body>Not a list at all</body>\n</html>\n")
    assert exc.value.code == "format"


def test_a_file_without_a_valid_domain_is_refused():
    with pytest.raises(ImportFormatError) as exc:
        parse_list("com.vn\nvn\n1.2.3.4\n")
    assert exc.value.code == "no-domains"


def test_an_unknown_named_format_is_refused():
    with pytest.raises(ImportFormatError):
        parse_list("a.example\n", "csv")


def test_binary_and_non_utf8_uploads_are_refused():
    with pytest.raises(ImportFormatError):
        decode_upload(b"PK\x03\x04\x00\x00")
    with pytest.raises(ImportFormatError):
        decode_upload(b"caf\xe9.example\n")
    assert decode_upload("\ufeffa.example\n".encode()) == "a.example\n"


@given(DOMAINS)
def test_every_format_gives_the_same_domains(domains):
    expected = sorted(set(domains))
    files = {
        "plain": "\n".join(domains),
        "hosts": "\n".join(f"0.0.0.0 {d}" for d in domains),
        "adblock": "\n".join(f"||{d}^" for d in domains),
        "rpz": "\n".join(f"{d} CNAME .\n*.{d} CNAME ." for d in domains),
    }
    for file_format, text in files.items():
        result = parse_list(text)
        assert (result.file_format, result.domains) == (file_format, expected)


@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused_cleanly(text):
    try:
        result = parse_list(text)
    except ImportFormatError:
        return
    assert result.domains == sorted(set(result.domains))
    assert all(d == d.lower() and not d.endswith(".") for d in result.domains)
