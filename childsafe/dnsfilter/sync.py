"""The filter's link to the central server: its school's policy down, counts up.

Policy (``PolicySync``): ``GET <server>/feeds/school/<id>/policy.json`` with the token
and ``If-None-Match`` on a schedule (``--sync-secs``) and on demand: SIGHUP, or a DNS
NOTIFY from the central server (``notify.NotifyHandler``, accepted only from
``--notify-from`` networks). Both set the event ``PolicySync.run`` waits on, so any
number of them during a download give one more download, at most one every
``MIN_SYNC_GAP_SECS``.

- 200: the whole body is validated by ``load_policy`` (and must name this school)
  before anything changes; only then is it swapped into the filter and written to the
  state directory (temp file, fsync, rename, fsync of the directory), so the saved file
  is always a whole, valid document.
- 304: nothing changes, nothing is rewritten.
- anything else (unreachable, HTTP error, a truncated or invalid document, too large):
  the policy in force stays; the failure is logged once (then again only when it
  changes or the link comes back) and the next try comes sooner, backing off (15 s
  doubling, up to ``max(sync_secs, 15 min)``).

At start ``load_saved`` puts the last good document from the state directory in force
before the first download, so a box whose central server is unreachable filters with
the last policy it had. With no policy at all (first start, server unreachable, nothing
saved) the filter answers every query SERVFAIL: clients see failing lookups and nothing
unfiltered goes through, until the first good download.

HTTP with ETags carries the document; NOTIFY only says when to fetch it. The central
worker (job ``filter-notify``) sends one NOTIFY to the box address the school registered
after each change to the school's compiled policy; without it (no address registered,
a NOTIFY lost, ``--notify-from`` unset) the schedule still brings the change. The zone
server's IXFR and NOTIFY serve resolvers that take the RPZ (not this service).

Stats (``StatsUpload``): every ``--stats-secs`` the filter's counters (hour, tier,
outcome) and top blocked names per day are added to ``stats.Totals`` and posted to
``<server>/feeds/school/<id>/stats``; the central side replaces each hour's and day's
counts, so repeats and retries are harmless. The totals not yet sent are saved to
``<state-dir>/stats.json`` (atomically, mode 0600) after each collection (every
``--stats-secs`` and at stop) and after each successful upload; at start ``load_saved``
adds them back (hours older than the keep window dropped; an unreadable file is logged
once and ignored), so a restart loses at most the counts since the last collection.

Blocking HTTP runs in a worker thread (``asyncio.to_thread``); the packet path never
waits for it. Django-free: urllib only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any

from childsafe import __version__
from childsafe.dnsfilter.policy import Policy, PolicyError, load_policy
from childsafe.dnsfilter.server import Filter
from childsafe.dnsfilter.stats import Totals

log = logging.getLogger(__name__)

POLICY_FILE = "policy.json"
STATS_FILE = "stats.json"
MIN_SYNC_GAP_SECS = 2.0  # between downloads that a NOTIFY or SIGHUP asks for
MAX_POLICY_BYTES = 64 * 1024 * 1024
FIRST_RETRY_SECS = 15.0
MAX_RETRY_SECS = 900.0
USER_AGENT = f"childsafe-dnsfilter/{__version__}"


class SyncError(Exception):
    """A download or upload failed; the message says why (never the token)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def http(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    *,
    timeout: float = 30.0,
    max_bytes: int = MAX_POLICY_BYTES,
) -> Response:
    """One HTTP exchange (urllib); HTTP error statuses are answers, not exceptions."""
    if not url.startswith(("http://", "https://")):
        raise SyncError(f"not an http(s) address: {url}")
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            status, got = answer.status, answer
            data = got.read(max_bytes + 1)
            response_headers = {k.lower(): v for k, v in got.headers.items()}
    except urllib.error.HTTPError as exc:
        with exc:
            data = exc.read(64 * 1024)
            return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, data)
    except (OSError, ValueError, HTTPException) as exc:  # unreachable, cut...
        reason = getattr(exc, "reason", exc)
        raise SyncError(f"{url}: {reason}") from exc
    if len(data) > max_bytes:
        raise SyncError(f"{url}: larger than {max_bytes} bytes")
    return Response(status, response_headers, data)


def write_atomically(path: Path, data: bytes, mode: int = 0o640) -> None:
    """Replace ``path`` with ``data`` whole: a crash leaves the old file or the new one."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class _Failures:
    """Log a failure once per streak (and when its reason changes); count the streak."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0
        self.reason = ""

    def failed(self, reason: str) -> None:
        self.count += 1
        if reason != self.reason:
            log.warning("dnsfilter: %s failed: %s (will retry)", self.what, reason)
            self.reason = reason
        else:
            log.debug("dnsfilter: %s failed again: %s", self.what, reason)

    def succeeded(self) -> None:
        if self.count:
            log.info("dnsfilter: %s works again after %d failures", self.what, self.count)
        self.count = 0
        self.reason = ""

    def delay(self, interval: float) -> float:
        if not self.count:
            return interval
        base = min(FIRST_RETRY_SECS * 2 ** (self.count - 1), max(interval, MAX_RETRY_SECS))
        return base * random.uniform(0.9, 1.1)  # noqa: S311 (jitter)


@dataclass
class Link:
    """Where the central server is and how to talk to it."""

    server: str  # https://province.example (no trailing slash needed)
    token: str
    school: int
    timeout: float = 30.0
    transport: Callable[..., Response] = field(default=http)

    def url(self, leaf: str) -> str:
        return f"{self.server.rstrip('/')}/feeds/school/{self.school}/{leaf}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "User-Agent": USER_AGENT, **extra}


class PolicySync:
    def __init__(self, filter: Filter, link: Link, state_dir: str | Path) -> None:
        self.filter = filter
        self.link = link
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / POLICY_FILE
        self.etag: str | None = None
        self.failures = _Failures("policy download")
        self.last_success: float | None = None

    def load_saved(self) -> bool:
        """Put the last good document from the state directory in force, if there is one."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            log.warning("dnsfilter: no saved policy in %s", self.state_dir)
            return False
        except OSError as exc:
            log.error("dnsfilter: cannot read the saved policy %s: %s", self.path, exc)
            return False
        try:
            policy = self._check(load_policy(data))
        except PolicyError as exc:
            log.error("dnsfilter: the saved policy %s is not valid: %s", self.path, exc)
            return False
        self.filter.set_policy(policy)
        self.etag = f'"{policy.version}"'
        log.info("dnsfilter: saved policy %s loaded from %s", policy.version, self.path)
        return True

    def _check(self, policy: Policy) -> Policy:
        if policy.school_id is not None and policy.school_id != self.link.school:
            raise PolicyError(
                f"the policy is school {policy.school_id}'s, not {self.link.school}'s"
            )
        return policy

    def sync_once(self) -> str:
        """One download: "updated", "unchanged" or "failed" (the policy in force stays)."""
        try:
            result = self._fetch()
        except (SyncError, PolicyError) as exc:
            self.failures.failed(str(exc))
            return "failed"
        except Exception as exc:  # never let the loop die; the filter goes on
            log.exception("dnsfilter: policy download: unexpected error")
            self.failures.failed(f"unexpected error: {exc.__class__.__name__}")
            return "failed"
        self.failures.succeeded()
        self.last_success = time.time()
        return result

    def _fetch(self) -> str:
        extra = {"Accept": "application/json"}
        if self.etag and self.filter.policy is not None:
            extra["If-None-Match"] = self.etag
        response = self.link.transport(
            "GET",
            self.link.url("policy.json"),
            self.link.headers(**extra),
            timeout=self.link.timeout,
            max_bytes=MAX_POLICY_BYTES,
        )
        if response.status == 304:
            return "unchanged"
        if response.status != 200:
            raise SyncError(f"HTTP {response.status} from the policy feed")
        length = response.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) != len(response.body):
            raise SyncError(f"truncated download ({len(response.body)} of {length} bytes)")
        policy = self._check(load_policy(response.body))  # raises PolicyError: keep the old
        self.filter.set_policy(policy)
        self.etag = response.headers.get("etag") or f'"{policy.version}"'
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, response.body)
        except OSError as exc:
            log.error("dnsfilter: policy %s in force but not saved: %s", policy.version, exc)
        return "updated"

    async def run(
        self, interval: float, wake: asyncio.Event, *, min_gap_secs: float = MIN_SYNC_GAP_SECS
    ) -> None:
        """Download now, then every ``interval`` seconds (sooner after a failure, or when
        ``wake`` is set: SIGHUP or a NOTIFY), until cancelled. ``wake`` set any number of
        times during a download gives one more download, ``min_gap_secs`` after the last
        one began at the earliest."""
        loop = asyncio.get_running_loop()
        while True:
            wake.clear()
            began = loop.time()
            await asyncio.to_thread(self.sync_once)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.failures.delay(interval))
                await asyncio.sleep(max(0.0, began + min_gap_secs - loop.time()))


class StatsUpload:
    MAX_BYTES = 1024 * 1024

    def __init__(
        self,
        filter: Filter,
        link: Link,
        *,
        totals: Totals | None = None,
        clock: Callable[[], float] = time.time,
        state_dir: str | Path | None = None,
    ) -> None:
        self.filter = filter
        self.link = link
        self.totals = totals or Totals()
        self.clock = clock
        self.failures = _Failures("stats upload")
        # Where the unsent totals are kept across restarts; None: in memory only.
        self.path = Path(state_dir) / STATS_FILE if state_dir is not None else None

    def load_saved(self) -> bool:
        """Add the totals saved before the last stop, if any (hours past the keep window
        dropped). An unreadable or invalid file is logged and ignored."""
        if self.path is None:
            return False
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.error("dnsfilter: cannot read the saved counts %s: %s", self.path, exc)
            return False
        try:
            self.totals.load(data)
        except ValueError as exc:
            log.error("dnsfilter: the saved counts %s are not valid, ignored: %s", self.path, exc)
            return False
        self.totals.expire(int(self.clock() // 3600))
        log.info("dnsfilter: unsent counts loaded from %s", self.path)
        return True

    def save(self, data: bytes) -> None:
        """Write ``Totals.dump`` bytes to the state directory (in a worker thread)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, data, mode=0o600)
        except OSError as exc:
            log.error("dnsfilter: cannot save the unsent counts to %s: %s", self.path, exc)

    def collect(self) -> dict[str, Any] | None:
        """Move the filter's counters into the totals (on the event loop's thread)."""
        self.totals.add(self.filter.take_counters(), self.filter.top_blocked.take())
        self.totals.expire(int(self.clock() // 3600))
        return self.totals.payload()

    def upload(self, payload: dict[str, Any], now_hour: int) -> bool:
        body = json.dumps(payload, separators=(",", ":")).encode()
        try:
            response = self.link.transport(
                "POST",
                self.link.url("stats"),
                self.link.headers(**{"Content-Type": "application/json"}),
                body,
                timeout=self.link.timeout,
                max_bytes=self.MAX_BYTES,
            )
            if response.status != 200:
                raise SyncError(f"HTTP {response.status} from the stats upload")
        except SyncError as exc:
            self.failures.failed(str(exc))
            return False
        self.failures.succeeded()
        self.totals.sent(now_hour)
        return True

    def _upload_and_save(self, payload: dict[str, Any], now_hour: int) -> bool:
        sent = self.upload(payload, now_hour)
        if sent:
            self.save(self.totals.dump())  # what is left: the hours still going on
        return sent

    async def upload_once(self) -> bool:
        payload = self.collect()
        if self.path is not None:
            await asyncio.to_thread(self.save, self.totals.dump())
        if payload is None:
            return True
        now_hour = int(self.clock() // 3600)
        return await asyncio.to_thread(self._upload_and_save, payload, now_hour)

    async def run(self, interval: float) -> None:
        while True:
            await asyncio.sleep(self.failures.delay(interval))
            try:
                await self.upload_once()
            except Exception:
                log.exception("dnsfilter: stats upload: unexpected error")
