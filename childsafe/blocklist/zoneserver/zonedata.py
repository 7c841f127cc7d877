"""The zone in memory: blocked domains, the records written for them, recent diffs.

A blocked domain blocks every name below it, so the zone writes only the *minimal
cover* (``lib.domains.minimal_cover``): a domain under a blocked parent has no records
of its own. Changes come from the journal as domains added and removed; ``apply``
turns one step into a diff *in records*, which is what IXFR sends: adding a parent
deletes the records of the blocked names below it, and removing it brings back those
still blocked.

A step must not look at a million rows: the state keeps the domains in a set, the
cover as ``domain -> wire name`` (rendered once, for AXFR) and an index from each name
of two labels or more to the blocked domains below it (the descendants a step may
uncover). The index is append-only between full loads; stale members are dropped when
read.

``ZoneState`` is owned by one thread (the follower), which holds ``lock`` while it
changes it; the transport reads only ``ZoneView`` objects, immutable, published after
each step, and copies the cover's names under the lock for a full transfer.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat

import dns.serial

from childsafe.blocklist.zoneserver.wire import name_wire
from childsafe.lib.domains import minimal_cover

Validator = Callable[[set[str]], set[str]]

# IXFR can bring a copy up to date from any of the last HISTORY_SERIALS serials, as
# long as the diffs kept hold at most HISTORY_NAMES domains in all.
HISTORY_SERIALS = 1000
HISTORY_NAMES = 2_000_000


@dataclass(frozen=True)
class Diff:
    """The records one step deleted and added, as the wire names of cover domains."""

    from_serial: int
    to_serial: int
    removed: tuple[bytes, ...]
    added: tuple[bytes, ...]

    @property
    def names(self) -> int:
        return len(self.removed) + len(self.added)


@dataclass(frozen=True)
class ZoneView:
    """What the transport answers from: immutable, replaced whole on a new serial."""

    serial: int
    size: int  # domains in the cover (records: twice as many, plus SOA and NS)
    diffs: tuple[Diff, ...]

    def diffs_since(self, serial: int) -> tuple[Diff, ...] | None:
        """The diffs from ``serial`` to ours, or ``None`` when we do not have them
        (unknown or too old serial): the client needs the whole zone."""
        if serial == self.serial:
            return ()
        for i in range(len(self.diffs) - 1, -1, -1):
            if self.diffs[i].from_serial == serial:
                return self.diffs[i:]
        return None

    def is_current(self, serial: int) -> bool:
        """Whether a copy at ``serial`` needs nothing: ours, or newer by RFC 1982 (a
        client ahead of us gets our SOA alone, RFC 1995 section 2)."""
        return dns.serial.Serial(serial & 0xFFFFFFFF) >= dns.serial.Serial(
            self.serial & 0xFFFFFFFF
        )


def _parents(domain: str) -> list[str]:
    """Proper parents of two labels or more, nearest first (``a.b.c`` gives ``b.c``)."""
    out = []
    dot = domain.find(".")
    while dot != -1:
        parent = domain[dot + 1 :]
        if "." not in parent:
            break
        out.append(parent)
        dot = domain.find(".", dot + 1)
    return out


class ZoneState:
    def __init__(
        self,
        *,
        serial: int,
        domains: Iterable[str],
        validate: Validator,
        history_serials: int = HISTORY_SERIALS,
        history_names: int = HISTORY_NAMES,
    ) -> None:
        self.lock = threading.Lock()
        self.serial = serial
        self._validate = validate
        self._history_serials = history_serials
        self._history_names = history_names
        self.domains: set[str] = validate(set(domains))
        cover = minimal_cover(self.domains)
        self.cover: dict[str, bytes] = dict(zip(cover, map(name_wire, cover), strict=True))
        self._below: dict[str, list[str]] = {}
        names = list(self.domains)
        # Only names of three labels or more have a parent the index keeps.
        for domain in compress(names, map((2).__le__, map(str.count, names, repeat(".")))):
            self._index(domain)
        self._diffs: deque[Diff] = deque()
        self._diff_names = 0

    # -- reading ---------------------------------------------------------------------

    def view(self) -> ZoneView:
        with self.lock:
            return ZoneView(serial=self.serial, size=len(self.cover), diffs=tuple(self._diffs))

    def full_names(self) -> tuple[int, list[bytes]]:
        """The serial and every cover domain's wire name, consistent (for AXFR)."""
        with self.lock:
            return self.serial, list(self.cover.values())

    # -- changing --------------------------------------------------------------------

    def apply(self, serial: int, *, added: Iterable[str], removed: Iterable[str]) -> Diff:
        """Move to ``serial`` by one journal step; return its diff in records."""
        with self.lock:
            if serial <= self.serial:
                raise ValueError(f"serial {serial} does not follow {self.serial}")
            new = self._validate(set(added) - self.domains)
            gone = set(removed) & self.domains
            touched = new | gone
            candidates = set(touched)
            for domain in touched:
                candidates.update(self._below_alive(domain))
            before = {d for d in candidates if d in self.cover}
            self.domains -= gone
            self.domains |= new
            for domain in new:
                self._index(domain)
            after = {d for d in candidates if d in self.domains and not self._is_covered(d)}
            removed_names = tuple(self.cover.pop(d) for d in sorted(before - after))
            added_names = []
            for domain in sorted(after - before):
                wire = name_wire(domain)
                self.cover[domain] = wire
                added_names.append(wire)
            diff = Diff(self.serial, serial, removed_names, tuple(added_names))
            self.serial = serial
            self._remember(diff)
            return diff

    def _remember(self, diff: Diff) -> None:
        self._diffs.append(diff)
        self._diff_names += diff.names
        while self._diffs and (
            len(self._diffs) > self._history_serials or self._diff_names > self._history_names
        ):
            self._diff_names -= self._diffs.popleft().names

    def _index(self, domain: str) -> None:
        for parent in _parents(domain):
            self._below.setdefault(parent, []).append(domain)

    def _below_alive(self, domain: str) -> Sequence[str]:
        """The blocked domains strictly below ``domain``."""
        listed = self._below.get(domain)
        if not listed:
            return ()
        alive = {d for d in listed if d in self.domains}
        if len(alive) != len(listed):
            if alive:
                self._below[domain] = list(alive)
            else:
                del self._below[domain]
        return list(alive)

    def _is_covered(self, domain: str) -> bool:
        dot = domain.find(".")
        while dot != -1:
            if domain[dot + 1 :] in self.domains:
                return True
            dot = domain.find(".", dot + 1)
        return False
