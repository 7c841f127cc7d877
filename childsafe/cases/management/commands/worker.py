"""``childsafe worker``: the background jobs: linking audit events into the chain,
triage, overdue escalations, retention, removal checks, overdue orders, blocklist expiry,
NOTIFY to the schools' filter boxes after a policy change.

Without a flag it drains every job once and exits (for cron); ``--loop`` repeats with a
short sleep until SIGTERM or SIGINT, finishing the item in hand first. Each step claims
one item with a conditional update, so several workers may run side by side.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from childsafe.audit.services import audit_link_pending
from childsafe.cases.services import case_retention_sweep, case_triage_next, clock_escalate_next

log = logging.getLogger(__name__)


def _verification_step() -> bool:
    # Imported here: cases must not import takedown at module level (imports run one way).
    from childsafe.takedown.verify import verify_next

    return verify_next() is not None


def _order_escalation_step() -> bool:
    # Imported here for the same reason: overdue takedown orders go to the supervisor.
    from childsafe.takedown.services import order_escalate_next

    return order_escalate_next() is not None


def _blocklist_expiry_step() -> bool:
    # Imported here for the same reason: expired entries leave the authority zone.
    from childsafe.blocklist.services import entries_expire_next

    return entries_expire_next() is not None


def _filter_notify_step() -> bool:
    # Imported here for the same reason: a NOTIFY to a school's filter box after a change.
    from childsafe.blocklist.policy.notify import filter_notify_due

    return bool(filter_notify_due())


# Each job does one item and answers whether it found one. Later issues append theirs.
JOBS: list[tuple[str, Callable[[], bool]]] = [
    # Report submissions write their audit events unlinked (no chain lock in the
    # request); this links them into the hash chain, in commit order, within seconds.
    ("audit-link", lambda: audit_link_pending() > 0),
    ("triage", lambda: case_triage_next() is not None),
    ("escalation", lambda: clock_escalate_next() is not None),
    ("retention", lambda: case_retention_sweep() is not None),
    ("verification", _verification_step),
    ("order-escalation", _order_escalation_step),
    ("blocklist-expiry", _blocklist_expiry_step),
    # After blocklist-expiry, so an expiry in this pass is notified in this pass.
    ("filter-notify", _filter_notify_step),
]


def run_jobs(should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Drain every job once; return how many items each handled."""
    done: dict[str, int] = {}
    for name, step in JOBS:
        done[name] = 0
        while not should_stop():
            try:
                if not step():
                    break
            except Exception:
                # One bad item must not stop the other jobs: log it and move on.
                log.exception("job %s failed", name)
                break
            done[name] += 1
    return done


class Command(BaseCommand):
    help = "Run the background jobs once, or for ever with --loop."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="repeat until SIGTERM")
        parser.add_argument(
            "--sleep-secs", type=float, default=2.0, help="pause between passes (--loop)"
        )

    def handle(self, *args: Any, loop: bool, sleep_secs: float, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while True:
                done = run_jobs(lambda: stopping)
                if any(done.values()):
                    log.info("worker pass: %s", done)
                if not loop:
                    self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
                    return
                if stopping:
                    break
                time.sleep(sleep_secs)
                if stopping:
                    break
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("worker stopped")
