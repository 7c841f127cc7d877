"""What the filter reports to the central server: counts, never who asked.

- ``TopBlocked``: the most blocked names per day (UTC), a bounded counter filled on the
  packet path (``Filter`` calls ``add`` for each blocked answer). Names only: never a
  client address, never an allowed or forwarded name.
- ``Totals``: the running totals the uploader sends, (hour, tier, outcome) -> queries
  from ``Filter.take_counters`` and (day, name) -> blocks from ``TopBlocked.take``.

The central side replaces a school's counts for each hour and day it receives, so the
uploader always sends the whole total so far for every hour and day it still holds (an
upload that fails or is repeated changes nothing). Once an upload succeeds, hours and
days that are over are dropped; the current ones stay and grow. Unsent data older than
``keep_hours`` is dropped (a box cut off for a week sends the last week).

The totals not yet sent survive a restart: ``Totals.dump`` / ``Totals.load`` are the
file ``sync.StatsUpload`` keeps in the state directory (``stats.json``, format
``childsafe-stats/1``: ``hours`` as [hour, tier, outcome, count], ``days`` as [day,
name, count], hours and days since the epoch, UTC). ``load`` takes a file whole or not
at all (``ValueError``).

No per-device query log, except during a logging period a school enabled centrally (``querylog.py``: its own files on the box, never uploaded): the box otherwise keeps no record of which client asked for what.
"""

from __future__ import annotations

import heapq
import json
from datetime import UTC, datetime
from typing import Any

MAX_NAMES = 10_000  # distinct names held per day before the rarest go
TOP_PER_DAY = 100  # names sent per day
KEEP_HOURS = 7 * 24
FILE_FORMAT = "childsafe-stats/1"
MAX_LABEL = 255  # the longest tier, outcome or name a saved file may hold


class TopBlocked:
    """A bounded counter, (day since the epoch, name) -> blocks. Past ``max_names``
    the names seen once so far go first (then the rarest half): popular names, the
    ones that matter, survive."""

    def __init__(self, max_names: int = MAX_NAMES) -> None:
        self.max_names = max_names
        self.counts: dict[tuple[int, str], int] = {}

    def add(self, day: int, name: str, blocks: int = 1) -> None:
        counts = self.counts
        key = (day, name)
        count = counts.get(key)
        if count is None:
            if len(counts) >= self.max_names:
                self._prune()
                counts = self.counts
            counts[key] = blocks
        else:
            counts[key] = count + blocks

    def _prune(self) -> None:
        counts = self.counts
        kept = {k: c for k, c in counts.items() if c > 1}
        if len(kept) > self.max_names // 2:
            ordered = sorted(kept.items(), key=lambda kc: kc[1], reverse=True)
            kept = dict(ordered[: self.max_names // 2])
        self.counts = kept

    def take(self) -> dict[tuple[int, str], int]:
        counts, self.counts = self.counts, {}
        return counts


class Totals:
    """Totals per hour and per day since the last successful upload (see the module)."""

    def __init__(self, keep_hours: int = KEEP_HOURS, top: int = TOP_PER_DAY) -> None:
        self.keep_hours = keep_hours
        self.top = top
        self.hours: dict[tuple[int, str, str], int] = {}
        self.days: dict[tuple[int, str], int] = {}

    def add(
        self, counters: dict[tuple[int, str, str], int], blocked: dict[tuple[int, str], int]
    ) -> None:
        for key, count in counters.items():
            self.hours[key] = self.hours.get(key, 0) + count
        for dkey, count in blocked.items():
            self.days[dkey] = self.days.get(dkey, 0) + count

    def expire(self, now_hour: int) -> None:
        oldest = now_hour - self.keep_hours
        self.hours = {k: c for k, c in self.hours.items() if k[0] > oldest}
        self.days = {k: c for k, c in self.days.items() if k[0] > oldest // 24}

    def payload(self) -> dict[str, Any] | None:
        """The upload's body, or None when there is nothing to send."""
        if not self.hours and not self.days:
            return None
        hours = [
            {"hour": _hour_iso(hour), "tier": tier, "outcome": outcome, "count": count}
            for (hour, tier, outcome), count in sorted(self.hours.items())
        ]
        per_day: dict[int, list[tuple[int, str]]] = {}
        for (day, name), count in self.days.items():
            per_day.setdefault(day, []).append((count, name))
        domains = []
        for day in sorted(per_day):
            for count, name in heapq.nlargest(self.top, per_day[day]):
                domains.append({"day": _day_iso(day), "domain": name, "count": count})
        return {"hours": hours, "top_blocked": domains}

    def sent(self, now_hour: int) -> None:
        """The upload succeeded: drop the hours and days that are over."""
        self.hours = {k: c for k, c in self.hours.items() if k[0] >= now_hour}
        self.days = {k: c for k, c in self.days.items() if k[0] >= now_hour // 24}

    def dump(self) -> bytes:
        """The totals as the saved file's bytes (see the module)."""
        document = {
            "format": FILE_FORMAT,
            "hours": [[h, tier, outcome, c] for (h, tier, outcome), c in self.hours.items()],
            "days": [[d, name, c] for (d, name), c in self.days.items()],
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def load(self, data: bytes) -> None:
        """Add a saved file's totals (``dump``); ValueError, and nothing added, when it is
        not a whole, valid file."""
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"not a {FILE_FORMAT} document")
        hours: dict[tuple[int, str, str], int] = {}
        days: dict[tuple[int, str], int] = {}
        rows = document.get("hours")
        if not isinstance(rows, list):
            raise ValueError("hours: not a list")
        for row in rows:
            if not (
                isinstance(row, list)
                and len(row) == 4
                and _is_count(row[0])
                and _is_label(row[1])
                and _is_label(row[2])
                and _is_count(row[3])
            ):
                raise ValueError("hours: a bad row")
            hours[(row[0], row[1], row[2])] = row[3]
        rows = document.get("days")
        if not isinstance(rows, list):
            raise ValueError("days: not a list")
        for row in rows:
            if not (
                isinstance(row, list)
                and len(row) == 3
                and _is_count(row[0])
                and _is_label(row[1])
                and _is_count(row[2])
            ):
                raise ValueError("days: a bad row")
            days[(row[0], row[1])] = row[2]
        self.add(hours, days)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _is_label(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_LABEL


def _hour_iso(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).isoformat()


def _day_iso(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).date().isoformat()
