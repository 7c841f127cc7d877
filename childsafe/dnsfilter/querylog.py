"""The per-device query log: off unless the school turned it on for a limited period.

The central server adds ``"query_log": {"until": ..., "period_id": N}`` to the compiled
policy only while a period the school IT admin enabled (with a recorded reason) is
active (docs/school-filter.md). While the policy in force has it and ``now < until``,
``Filter`` hands each decided query to ``QueryLog.add``; otherwise the packet path
pays one comparison and logs nothing. When the period ends, or a new policy drops the
field (the period was ended early), logging stops.

- The packet path only appends a tuple to an in-memory list (bounded: past
  ``MAX_BUFFERED`` lines the rest are counted as ``dropped``, never waited for).
- ``flush`` (every ``FLUSH_SECS`` from ``run``, in a worker thread, and once at stop)
  writes the lines to a daily file in the state directory,
  ``<state-dir>/querylog/YYYY-MM-DD.log`` (the policy's local date), created mode 0600
  in a directory of mode 0700. One line per query, tab-separated: local time (ISO 8601
  with offset), client address, name, type, verdict (``forward``, ``allow``,
  ``safesearch``, ``authority``, ``deny`` or the blocking category).
- ``cleanup`` (at start and every hour) deletes every file whose day began
  ``KEEP_DAYS`` (7) days ago or more, so no line is kept longer than 7 days and, once
  no period has been active for 7 days, no file is left.

The log never leaves the box: nothing here talks to the network, and the stats upload
(``stats.Totals``) holds counts and blocked names only. Django-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import dns.rdatatype

if TYPE_CHECKING:
    from childsafe.dnsfilter.policy import Policy

log = logging.getLogger(__name__)

DIRECTORY = "querylog"
FLUSH_SECS = 2.0
CLEANUP_SECS = 3600.0
KEEP_DAYS = 7
MAX_BUFFERED = 200_000
_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.log$")
_UNSAFE = {c: "?" for c in (*range(0, 32), 127)}  # no tab or newline inside a field


class QueryLog:
    """The log of one box; ``directory`` is ``<state-dir>/querylog``."""

    def __init__(
        self,
        directory: Path,
        *,
        clock: Callable[[], float] = time.time,
        max_buffered: int = MAX_BUFFERED,
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock
        self.max_buffered = max_buffered
        self.timezone: tzinfo = UTC
        self.until: float | None = None  # epoch seconds; None: off
        self.period_id: int | None = None
        self.dropped = 0
        # Appended on the event loop, taken by the writer thread: deque ops are atomic.
        self._lines: deque[tuple[float, str, str, int, str]] = deque()
        self._lock = threading.Lock()  # one flush at a time

    # -- The policy ------------------------------------------------------------------

    def use_policy(self, policy: Policy) -> None:
        """Follow the policy put in force: on until its ``query_log.until``, or off."""
        self.timezone = policy.timezone
        until, period = policy.query_log_until, policy.query_log_period
        if (until, period) != (self.until, self.period_id):
            if until is None:
                if self.until is not None:
                    log.info("dnsfilter: query log off (the policy has no logging period)")
            else:
                log.info(
                    "dnsfilter: query log on until %s (period %s)",
                    datetime.fromtimestamp(until, self.timezone).isoformat(),
                    period,
                )
        self.until, self.period_id = until, period

    # -- The packet path -------------------------------------------------------------

    def add(self, now: float, client: str, name: str, qtype: int, verdict: str) -> None:
        """One decided query (the caller checked ``now < until``)."""
        lines = self._lines
        if len(lines) >= self.max_buffered:
            self.dropped += 1
            return
        lines.append((now, client, name, qtype, verdict))

    # -- The writer ------------------------------------------------------------------

    def flush(self) -> int:
        """Append the buffered lines to their daily files; the number written."""
        with self._lock:
            waiting = self._lines
            lines = [waiting.popleft() for _ in range(len(waiting))]
            if not lines:
                return 0
            by_day: dict[date, list[str]] = {}
            tz = self.timezone
            for now, client, name, qtype, verdict in lines:
                moment = datetime.fromtimestamp(now, tz)
                text = "\t".join(
                    (
                        moment.isoformat(timespec="seconds"),
                        client.translate(_UNSAFE),
                        name.translate(_UNSAFE) or ".",
                        dns.rdatatype.to_text(qtype),  # type: ignore[arg-type]
                        verdict or "forward",
                    )
                )
                by_day.setdefault(moment.date(), []).append(text + "\n")
            self._make_directory()
            for day, texts in sorted(by_day.items()):
                self._append(self.directory / f"{day.isoformat()}.log", "".join(texts))
            return len(lines)

    def _make_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def _append(self, path: Path, text: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, text.encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)

    def cleanup(self) -> list[str]:
        """Delete the files whose day began ``KEEP_DAYS`` days ago or more; their names."""
        now = datetime.fromtimestamp(self.clock(), self.timezone)
        deleted = []
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []
        for name in names:
            match = _FILE.match(name)
            if match is None:
                continue
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:
                continue
            start = datetime.combine(day, datetime.min.time(), self.timezone)
            if now - start >= timedelta(days=KEEP_DAYS):
                with contextlib.suppress(FileNotFoundError):
                    (self.directory / name).unlink()
                deleted.append(name)
        if deleted:
            log.info("dnsfilter: deleted %d query log file(s) older than 7 days", len(deleted))
        return deleted

    async def run(
        self, flush_secs: float = FLUSH_SECS, cleanup_secs: float = CLEANUP_SECS
    ) -> None:
        """Flush every ``flush_secs`` and clean up at start and every ``cleanup_secs``,
        in a worker thread (the packet path never waits for the disk); until cancelled,
        then one last flush."""
        last_cleanup = -cleanup_secs
        try:
            while True:
                if time.monotonic() - last_cleanup >= cleanup_secs:
                    await self._safely(self.cleanup)
                    last_cleanup = time.monotonic()
                await self._safely(self.flush)
                await asyncio.sleep(flush_secs)
        finally:
            with contextlib.suppress(OSError):
                self.flush()

    async def _safely(self, step: Callable[[], object]) -> None:
        try:
            await asyncio.to_thread(step)
        except OSError as exc:
            log.warning("dnsfilter: query log: %s", exc)
