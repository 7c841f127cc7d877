from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from childsafe.lib.urls import MAX_URL_CHARS, InvalidURL, host_is_ip, normalise_url, url_host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com/a#comments", "http://example.com/a"),
        ("  https://example.com/a \n", "https://example.com/a"),
        ("facebook.com/groups/123", "http://facebook.com/groups/123"),
        ("www.tiktok.com/@someone", "http://tiktok.com/@someone"),
        ("//example.com/x", "http://example.com/x"),
        ("localhost:8000/x", "http://localhost:8000/x"),
        ("http://www.www.example.com/", "http://example.com/"),
        ("http://www.com/", "http://www.com/"),
        ("http://example.com./", "http://example.com/"),
        ("http://user:secret@example.com/", "http://example.com/"),
        ("http://Bücher.DE/", "http://xn--bcher-kva.de/"),
        ("http://ｅｘａｍｐｌｅ。com/", "http://example.com/"),
        ("http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/"),
        (
            "https://vi.wikipedia.org/wiki/Hà_Nội",
            "https://vi.wikipedia.org/wiki/H%C3%A0_N%E1%BB%99i",
        ),
        ("http://example.com/%7euser/%2f%zz", "http://example.com/~user/%2F%25zz"),
        ("http://example.com/a/./b/../c/", "http://example.com/a/c/"),
        ("http://example.com/a/%2E%2E/b", "http://example.com/b"),
        ("http://example.com/../../a", "http://example.com/a"),
        ("http://example.com/a[1]", "http://example.com/a%5B1%5D"),
    ],
)
def test_it_normalises_the_examples(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://www.facebook.com/post?utm_source=fb&utm_medium=x&id=5&fbclid=Iw&b=2",
            "https://facebook.com/post?id=5&b=2",
        ),
        ("https://youtu.be/abc?si=xyz&t=10", "https://youtu.be/abc?t=10"),
        ("http://example.com/?gclid=1&igshid=2&ref_src=3&mc_eid=4", "http://example.com/"),
        ("http://example.com/?UTM_Source=x&q=1", "http://example.com/?q=1"),
        ("http://example.com/?utm%5Fsource=x&q=1", "http://example.com/?q=1"),
        ("http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"),
        ("http://example.com/?a=1&&b=&", "http://example.com/?a=1&b="),
        ("http://example.com/?", "http://example.com/"),
        ("http://example.com/?q=a+b&r=%26", "http://example.com/?q=a+b&r=%26"),
    ],
)
def test_it_drops_tracking_parameters_and_keeps_the_others_in_order(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected", "host"),
    [
        ("http://192.168.1.20:80/a", "http://192.168.1.20/a", "192.168.1.20"),
        ("http://[2001:DB8::0001]:8080/", "http://[2001:db8::1]:8080/", "2001:db8::1"),
        ("http://1.2.3.4./", "http://1.2.3.4/", "1.2.3.4"),
    ],
)
def test_it_keeps_ip_addresses_and_marks_them(raw, expected, host):
    assert normalise_url(raw) == expected
    assert url_host(raw) == host
    assert host_is_ip(url_host(raw))


def test_a_domain_is_not_marked_as_an_ip_address():
    assert url_host("https://WWW.Example.com/a") == "example.com"
    assert not host_is_ip("example.com")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "data:text/html,<b>hi</b>",
        "mailto:someone@example.com",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "http://example.com/a b",
        "http://example.com/\x00",
        "http://example.com/\u202ecod.exe",
        "http://example..com/",
        "http://-bad-.com/",
        "http://exa<mple.com/",
        "http://%41.com/",
        "http://example.com\\@other.com/",
        "http://[::1/",
        "http://[not-an-ip]/",
        "http://example.com:99999/",
        "http://example.com:http/",
        "http://" + "a" * 64 + ".com/",
        "http://example.com/" + "a" * MAX_URL_CHARS,
    ],
)
def test_it_refuses_what_is_not_a_web_address(raw):
    with pytest.raises(InvalidURL):
        normalise_url(raw)


# --- Properties ----------------------------------------------------------------------------

_host_chars = st.sampled_from("abcXYZ019-_.ÀàệĐđü。ｅ⒈ß[]:%@\\")
_path_chars = st.sampled_from("abcAZ09-._~!$&'()*+,;=:@/?#%[] àệ\t\x7f日")
url_like = st.builds(
    lambda scheme, user, host, port, path, query, fragment: (
        f"{scheme}{user}{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["http://", "HTTPS://", "", "//", "ftp://", "javascript:", "http:"]),
    st.sampled_from(["", "user@", "u:p@"]),
    st.one_of(
        st.text(_host_chars, min_size=0, max_size=30),
        st.sampled_from(["www.example.com", "WWW.www.Ví-dụ.vn", "[::1]", "1.2.3.4", "localhost"]),
    ),
    st.sampled_from(["", ":80", ":443", ":8080", ":0", ":x", ":99999", ":"]),
    st.text(_path_chars, max_size=40).map(lambda p: "/" + p),
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "id", "fbclid", "si", "Q", "a%5Fb", ""]),
            st.text(_path_chars, max_size=8),
        ),
        max_size=4,
    ).map(lambda ps: ("?" + "&".join(f"{k}={v}" for k, v in ps)) if ps else ""),
    st.sampled_from(["", "#", "#frag"]),
)


@given(st.one_of(url_like, st.text(max_size=80)))
@example("http://⒈.com/")
@example("http://１.２.３.４/")
@example("http://www.www.example.com/")
def test_normalising_twice_changes_nothing_and_only_invalid_url_is_raised(raw):
    try:
        once = normalise_url(raw)
    except InvalidURL:
        return
    assert normalise_url(once) == once
    assert once.startswith(("http://", "https://"))
    assert "#" not in once
    assert len(once) <= MAX_URL_CHARS
    assert url_host(once) == url_host(raw)
