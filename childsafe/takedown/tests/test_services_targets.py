"""Property tests of target parsing: whatever an officer types, the answer is a target
in canonical form or ``OrderError``, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from childsafe.lib.domains import is_public_suffix, normalise_domain
from childsafe.lib.urls import host_is_ip, normalise_url
from childsafe.takedown import services

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
TEXT = st.one_of(
    st.text(max_size=80),
    st.builds(".".join, st.lists(LABEL, min_size=1, max_size=4)),
    st.builds(
        lambda scheme, host, path: f"{scheme}{host}/{path}",
        st.sampled_from(["", "http://", "https://", "HTTPS://", "ftp://", "//"]),
        st.builds(".".join, st.lists(LABEL, min_size=1, max_size=4)),
        st.text(max_size=20),
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, action=st.sampled_from(["remove", "block"]))
def test_a_target_is_canonical_or_refused(text, action):
    try:
        target = services.parse_target(text, action=action)
    except services.OrderError as exc:
        assert exc.field == "targets"
        assert exc.message
        return
    if target.kind == "url":
        assert normalise_url(target.value) == target.value
        assert not host_is_ip(target.host)
    else:
        assert action == "block"
        assert normalise_domain(target.value) == target.value == target.host
        assert not is_public_suffix(target.value)
