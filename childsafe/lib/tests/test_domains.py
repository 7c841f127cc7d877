from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from childsafe.lib.domains import (
    InvalidDomain,
    covered_domains,
    domain_display,
    is_public_suffix,
    minimal_cover,
    normalise_domain,
    parent_domains,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "example.com"),
        ("  Example.COM.  ", "example.com"),
        ("*.bad.example", "bad.example"),
        ("www.bad.example", "www.bad.example"),
        ("Ví-Dụ.vn", "xn--v-d-rma6749a.vn"),
        ("xn--v-d-rma6749a.vn", "xn--v-d-rma6749a.vn"),
        ("ｅｘａｍｐｌｅ。com", "example.com"),
        ("_dmarc.example.com", "_dmarc.example.com"),
        ("abc.com.vn", "abc.com.vn"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("1.2.3.example", "1.2.3.example"),
    ],
)
def test_it_gives_the_canonical_form(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("*.", "empty"),
        (".", "empty"),
        ("a.*.example", "wildcard"),
        ("**.example", "wildcard"),
        ("http://example.com", "not-a-name"),
        ("example.com/path", "not-a-name"),
        ("example.com:80", "not-a-name"),
        ("user@example.com", "not-a-name"),
        ("bad example.com", "not-a-name"),
        ("[::1]", "not-a-name"),
        ("::1", "not-a-name"),
        ("1.2.3.4", "ip"),
        ("1.2.3", "ip"),
        ("bad..example", "invalid"),
        (".bad.example", "invalid"),
        ("-bad.example", "invalid"),
        ("bad-.example", "invalid"),
        ("a" * 64 + ".example", "invalid"),
        (".".join(["a" * 60] * 5), "invalid"),
        ("vn", "public-suffix"),
        ("com.vn", "public-suffix"),
        ("*.com.vn", "public-suffix"),
        ("*.vn", "public-suffix"),
        ("gov.vn", "public-suffix"),
        ("blogspot.com", "public-suffix"),
        ("com", "public-suffix"),
        ("localhost", "public-suffix"),
    ],
)
def test_it_refuses_with_a_reason(raw, code):
    with pytest.raises(InvalidDomain) as refused:
        normalise_domain(raw)
    assert refused.value.code == code
    assert str(refused.value)


def test_display_gives_the_unicode_form():
    assert domain_display("xn--v-d-rma6749a.vn") == "ví-dụ.vn"
    assert domain_display("example.com") == "example.com"
    assert domain_display("xn--zz.example") == "xn--zz.example"  # not valid punycode


def test_parents_are_nearest_first():
    assert parent_domains("a.b.c") == ["b.c", "c"]
    assert parent_domains("c") == []


def test_the_cover_drops_names_under_a_blocked_parent():
    names = {"bad.example", "a.bad.example", "x.y.bad.example", "notbad.example", "example2"}
    assert minimal_cover(names) == {"bad.example", "notbad.example", "example2"}
    assert covered_domains(names) == {"a.bad.example", "x.y.bad.example"}
    assert minimal_cover({"a.b", "b"}) == {"b"}  # a single-label parent counts too
    assert minimal_cover(frozenset()) == set()


# --- Properties -----------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80
) | st.from_regex(r"\A(\*\.)?([a-zA-Z0-9ạ-ỹ_\-]{1,12}\.){0,4}[a-zA-Z]{2,6}\.?\Z")


@given(_text)
@example("*.com.vn")
@example("Ví-Dụ.vn")
@example("xn--.example")
@example("a.xn--.vn")
@example("ß.de")
def test_only_invalid_domain_is_raised_and_the_output_is_stable(raw):
    try:
        domain = normalise_domain(raw)
    except InvalidDomain:
        return
    assert normalise_domain(domain) == domain
    assert not is_public_suffix(domain)
    assert domain == domain.lower() and domain.isascii()
    assert not domain.endswith(".") and "*" not in domain
    assert len(domain) <= 253


_names = st.sets(
    st.lists(st.sampled_from(["a", "b", "c", "ab"]), min_size=1, max_size=4).map(".".join),
    max_size=30,
)


@given(_names)
def test_the_cover_matches_its_definition(names):
    expected = {d for d in names if not any(p in names for p in parent_domains(d))}
    assert minimal_cover(names) == expected
    assert covered_domains(names) == names - expected
