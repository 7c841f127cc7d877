"""The zone server's only contact with the database: load the zone, follow its journal.

``ZoneFollower`` is a thread: it loads the zone once (``zones.zone_snapshot``), then
looks at the serial every ``poll_secs`` (one indexed row) or at once when woken (a
NOTIFY from the web app). On a new serial it reads the journal steps since its own
(``zones.zone_changes_since``: one row per step, never the million entries) and applies
them to the ``ZoneState``; when the journal cannot bring it up to date (a reset, or a
serial it does not know) it loads the whole zone again into a new state and swaps it.
After each change it hands the new ``ZoneView`` to ``publish`` (which the transport
passes to its event loop).

Database errors are logged (once a minute at most), the connection is closed, and the
server keeps answering from the zone it has.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dns.name
from django.conf import settings
from django.db import close_old_connections, connection

from childsafe.blocklist import rpz, zones
from childsafe.blocklist.zoneserver.wire import RecordFormat
from childsafe.blocklist.zoneserver.zonedata import ZoneState, ZoneView

log = logging.getLogger(__name__)

RETRY_MAX_SECS = 5.0
# Connections are checked (and closed when too old or broken) at most this often.
CONNECTION_CHECK_SECS = 60.0


def record_format() -> RecordFormat:
    """The zone's records as the settings say, as the RPZ text feed writes them."""
    origin = settings.CHILDSAFE_RPZ_ORIGIN.rstrip(".") + "."
    target = zones.rpz_rules("x")[0][2]
    return RecordFormat(
        origin=dns.name.from_text(origin),
        target=target,
        ttl=rpz.RPZ_TTL_SECS,
        soa_mname=rpz.SOA_MNAME,
        soa_rname=rpz.SOA_RNAME,
        soa_timers=(
            rpz.SOA_REFRESH_SECS,
            rpz.SOA_RETRY_SECS,
            rpz.SOA_EXPIRE_SECS,
            rpz.SOA_MINIMUM_SECS,
        ),
        ns_name=rpz.NS_NAME,
    )


def domain_validator() -> Callable[[set[str]], set[str]]:
    """The names the zone can carry, as the text feed decides (``rpz.valid_domains``)."""
    max_chars = rpz.rpz_max_domain_chars(settings.CHILDSAFE_RPZ_ORIGIN)

    def validate(names: set[str]) -> set[str]:
        return set(rpz.valid_domains(names, max_chars=max_chars))

    return validate


@dataclass(frozen=True)
class Step:
    serial: int
    added: list[str]
    removed: list[str]


class DatabaseSource:
    """The ORM calls, each under ``db_lock`` when one is given: tests on SQLite's shared
    in-memory database pass the lock they write under, since SQLite refuses a write
    while another connection of the process is reading ("database table is locked")."""

    def __init__(self, zone: str = zones.AUTHORITY_ZONE, db_lock: threading.Lock | None = None):
        self.zone = zone
        self.db_lock = db_lock

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        if self.db_lock is None:
            yield
        else:
            with self.db_lock:
                yield

    def snapshot(self) -> tuple[int, frozenset[str]]:
        with self.locked():
            snap = zones.zone_snapshot(self.zone)
        return snap.serial, snap.domains

    def serial(self) -> int:
        with self.locked():
            return zones.zone_serial(self.zone)

    def changes_since(self, serial: int) -> list[Step] | None:
        with self.locked():
            changes = zones.zone_changes_since(self.zone, serial)
        if changes is None:
            return None
        return [Step(c.serial, list(c.added), list(c.removed)) for c in changes]

    def close(self) -> None:
        connection.close()


class ZoneFollower(threading.Thread):
    def __init__(
        self,
        *,
        source: DatabaseSource,
        publish: Callable[[ZoneView], None],
        poll_secs: float = 0.15,
        validate: Callable[[set[str]], set[str]] | None = None,
    ) -> None:
        super().__init__(name="zoneserver-follower", daemon=True)
        self.source = source
        self.publish = publish
        self.poll_secs = poll_secs
        self.validate = validate or domain_validator()
        self.state: ZoneState | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._last_error_log = 0.0
        self._last_connection_check = 0.0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    if self.state is None:
                        self.load()
                    else:
                        self.sync()
                    failures = 0
                except Exception:
                    failures += 1
                    self._log_error()
                    with contextlib.suppress(Exception):
                        self.source.close()
                if self._stopping.is_set():
                    break
                wait = self.poll_secs if not failures else min(RETRY_MAX_SECS, 0.5 * 2**failures)
                self._wake.wait(wait)
                self._wake.clear()
                self._check_connection()
        finally:
            with contextlib.suppress(Exception):
                self.source.close()

    def load(self) -> None:
        """Read the whole zone into a new state and publish it."""
        started = time.monotonic()
        serial, domains = self.source.snapshot()
        state = ZoneState(serial=serial, domains=domains, validate=self.validate)
        previous, self.state = self.state, state
        if previous is not None and serial < previous.serial:
            log.error(
                "zone serial went back from %d to %d (database restored?): secondaries "
                "keep their newer copy until the serial passes theirs",
                previous.serial,
                serial,
            )
        log.info(
            "zone loaded: serial %d, %d domains, %d in the cover, %.0f ms",
            serial,
            len(state.domains),
            len(state.cover),
            1000 * (time.monotonic() - started),
        )
        self.publish(state.view())

    def sync(self) -> None:
        """Catch up with the journal, if the serial moved."""
        state = self.state
        assert state is not None
        if self.source.serial() == state.serial:
            return
        steps = self.source.changes_since(state.serial)
        if steps is None:
            self.load()
            return
        if not steps:
            return
        started = time.monotonic()
        names = 0
        for step in steps:
            diff = state.apply(step.serial, added=step.added, removed=step.removed)
            names += diff.names
        log.info(
            "zone serial %d: %d step(s), %d record name(s) changed, %.1f ms",
            state.serial,
            len(steps),
            names,
            1000 * (time.monotonic() - started),
        )
        self.publish(state.view())

    def _log_error(self) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= 60:
            self._last_error_log = now
            log.exception("zone server cannot read the zone; serving the copy it has")

    def _check_connection(self) -> None:
        now = time.monotonic()
        if now - self._last_connection_check >= CONNECTION_CHECK_SECS:
            self._last_connection_check = now
            with self.source.locked():
                close_old_connections()
