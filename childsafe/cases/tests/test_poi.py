"""``childsafe.cases.poi``: normalising identifiers, digests, finding them in text."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from childsafe.cases.poi import identifiers_in, match_digest, normalise_identifier


@pytest.mark.parametrize(
    ("kind", "raw", "normalised"),
    [
        ("phone", "0905 123 456", "+84905123456"),
        ("phone", "+84 905.123.456", "+84905123456"),
        ("phone", "84905123456", "+84905123456"),
        ("phone", "(0235) 3812 345", "+842353812345"),
        ("email", " Bad.Guy@Example.COM ", "bad.guy@example.com"),
        ("handle", "@Ke_Xau.99", "ke_xau.99"),
        ("url", "https://www.Example.com/a?utm_source=x#top", "https://example.com/a"),
    ],
)
def test_it_normalises_each_kind(kind, raw, normalised):
    assert normalise_identifier(kind, raw) == normalised


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("phone", "12345"),
        ("phone", "0905-abc-456"),
        ("email", "not-an-address"),
        ("handle", "@"),
        ("handle", "two words"),
        ("url", "javascript:alert(1)"),
        ("fax", "0905123456"),
    ],
)
def test_it_refuses_what_is_not_an_identifier(kind, raw):
    with pytest.raises(ValueError):
        normalise_identifier(kind, raw)


def test_it_finds_identifiers_in_a_description():
    text = (
        "Nó dùng số 0905 123 456 và +84 912.345.678, mail Bad.Guy@Example.com, "
        "tài khoản @Ke_Xau. Xem https://www.example.com/a?utm_source=x. Mã 12345678901234"
    )
    assert identifiers_in(text, ["https://fb.com/x"]) == {
        ("url", "https://fb.com/x"),
        ("url", "https://example.com/a"),
        ("phone", "+84905123456"),
        ("phone", "+84912345678"),
        ("email", "bad.guy@example.com"),
        ("handle", "ke_xau"),
    }


def test_an_e_mail_address_is_not_read_as_a_handle():
    assert identifiers_in("viết cho an@example.com") == {("email", "an@example.com")}


def test_the_digest_is_keyed():
    one = match_digest("phone", "+84905123456")
    assert one == match_digest("phone", "+84905123456")
    assert one != match_digest("handle", "+84905123456")
    with override_settings(CHILDSAFE_MATCH_KEY="another-key"):
        assert match_digest("phone", "+84905123456") != one
    with override_settings(SECRET_KEY="another-secret"):
        assert match_digest("phone", "+84905123456") != one


@given(st.text(max_size=300))
def test_finding_identifiers_never_raises(text):
    for kind, value in identifiers_in(text):
        assert normalise_identifier(kind, value) == value
