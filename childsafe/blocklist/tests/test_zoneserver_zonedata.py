"""The zone in memory (``zoneserver.zonedata``): journal steps become diffs in records.

Pure: no database, no sockets. The property test checks, for any sequence of steps,
that the cover kept step by step is the minimal cover computed afresh, and that
replaying the diffs on a copy gives the same records.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from childsafe.blocklist.zoneserver.wire import name_wire
from childsafe.blocklist.zoneserver.zonedata import ZoneState
from childsafe.lib.domains import minimal_cover


def keep_valid(names: set[str]) -> set[str]:
    """The zone carries names of two labels or more (as ``rpz.valid_domains``)."""
    return {n for n in names if "." in n and "bad" not in n}


def state(*domains: str, serial: int = 1, **kw: int) -> ZoneState:
    return ZoneState(serial=serial, domains=domains, validate=keep_valid, **kw)


def cover_names(s: ZoneState) -> set[str]:
    return set(s.cover)


def test_the_cover_leaves_out_names_under_a_blocked_parent():
    s = state("a.example.com", "x.a.example.com", "b.example.org")
    assert cover_names(s) == {"a.example.com", "b.example.org"}
    assert s.cover["a.example.com"] == b"\x01a\x07example\x03com"


def test_adding_a_parent_removes_the_children_records():
    s = state("x.a.example.com", "y.a.example.com", "other.example.com")
    diff = s.apply(2, added=["a.example.com"], removed=[])
    assert set(diff.removed) == {name_wire("x.a.example.com"), name_wire("y.a.example.com")}
    assert diff.added == (name_wire("a.example.com"),)
    assert (diff.from_serial, diff.to_serial) == (1, 2)


def test_removing_a_parent_brings_back_the_children_still_blocked():
    s = state("a.example.com", "x.a.example.com", "deep.x.a.example.com")
    diff = s.apply(2, added=[], removed=["a.example.com"])
    assert diff.removed == (name_wire("a.example.com"),)
    assert diff.added == (name_wire("x.a.example.com"),)  # deep stays under x
    assert cover_names(s) == {"x.a.example.com"}


def test_a_covered_name_changes_no_record():
    s = state("a.example.com")
    diff = s.apply(2, added=["x.a.example.com"], removed=[])
    assert diff.removed == diff.added == ()
    diff = s.apply(3, added=[], removed=["x.a.example.com"])
    assert diff.removed == diff.added == ()


def test_invalid_names_never_enter_the_zone():
    s = state("com", "ok.example.com")
    diff = s.apply(2, added=["bad.example.com", "net"], removed=[])
    assert diff.added == () and cover_names(s) == {"ok.example.com"}


def test_the_serial_must_grow():
    s = state("a.example.com", serial=5)
    with pytest.raises(ValueError):
        s.apply(5, added=["b.example.com"], removed=[])


def test_the_view_finds_diffs_from_a_known_serial_only():
    s = state("a.example.com")
    s.apply(2, added=["b.example.com"], removed=[])
    s.apply(3, added=["c.example.com"], removed=[])
    view = s.view()
    assert [d.to_serial for d in view.diffs_since(1)] == [2, 3]
    assert [d.to_serial for d in view.diffs_since(2)] == [3]
    assert view.diffs_since(3) == ()
    assert view.diffs_since(0) is None
    assert view.is_current(3) and view.is_current(4) and not view.is_current(2)


def test_history_is_bounded_in_serials_and_names():
    s = state("a.example.com", history_serials=3)
    for serial in range(2, 8):
        s.apply(serial, added=[f"d{serial}.example.com"], removed=[])
    assert [d.to_serial for d in s.view().diffs] == [5, 6, 7]
    s = state("a.example.com", history_names=3)
    s.apply(2, added=["b.example.com", "c.example.com"], removed=[])
    s.apply(3, added=["d.example.com", "e.example.com"], removed=[])
    assert [d.to_serial for d in s.view().diffs] == [3]


def test_a_1000_name_step_against_a_large_zone_is_quick():
    # A smaller sibling of bench/feeds.py's million: the step must not scan the zone.
    s = state(*[f"site{i}.example{i % 97}.com" for i in range(100_000)])
    batch = [f"new{i}.example{i % 89}.net" for i in range(1000)]
    started = time.perf_counter()
    diff = s.apply(2, added=batch, removed=[])
    assert time.perf_counter() - started < 0.5  # well under; the bench measures ~ms
    assert len(diff.added) == 1000


labels = st.sampled_from(["a", "b", "c", "x"])
domains = st.lists(labels, min_size=1, max_size=4).map(lambda ls: ".".join([*ls, "example"]))
steps = st.lists(
    st.tuples(st.sets(domains, max_size=4), st.sets(domains, max_size=4)), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(start=st.sets(domains, max_size=8), steps=steps)
def test_steps_keep_the_minimal_cover_and_diffs_replay(start, steps):
    s = state(*start)
    blocked = set(start)
    replay = set(s.cover.values())
    for serial, (added, removed) in enumerate(steps, start=2):
        removed = removed - added
        diff = s.apply(serial, added=added, removed=removed)
        blocked = (blocked - removed) | added
        assert cover_names(s) == minimal_cover(blocked)
        assert set(diff.removed) <= replay
        assert not set(diff.added) & (replay - set(diff.removed))
        replay = (replay - set(diff.removed)) | set(diff.added)
        assert replay == {name_wire(d) for d in minimal_cover(blocked)}
