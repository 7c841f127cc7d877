"""Everything that can happen to the authority list (``grep "def entr"``).

Each service runs in one transaction, locks the authority zone (writers take turns, so a
duplicate cannot slip in between the check and the insert), writes the audit event, and
records in the zone's journal (``zones.zone_apply``) the domains that entered or left
the DNS feeds, all of which commit or roll back together.

- ``entry_add``: an officer adds a domain or a web address by hand, with a reason, a
  review date and perhaps an expiry; ``entries_add_bulk`` adds up to 10,000 at once
  (the API), all or nothing.
- ``entry_lift``: an officer lifts an entry with a recorded decision.
- ``entries_publish_for_order`` and ``entries_lift_for_order``: the takedown app puts
  the targets of a blocking order on the list and takes them off, inside its own
  transaction.
- ``entries_expire_next``: the worker takes expired entries out of the zone, one at a
  time, and records the decision "expired".

A domain entry blocks the domain and every name below it; a URL entry stays a URL entry:
DNS cannot block one page without its whole host, so the DNS feeds (RPZ, hosts, plain
list) carry domain entries only, and URL entries reach filters through the JSON feed.

Refusals raise ``BlocklistError`` (``BulkEntryError`` for a batch) with a translated
message and a one-word ``code``, and are logged at INFO with the code only: a refused
value may be a URL whose path names a person, so values are never logged. The audit
events hold ids, kinds, reasons and counts, never values, notes or decisions (free
text), which stay on the entry.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.audit.services import audit_record
from childsafe.blocklist.models import AuthorityEntry, EntryKind, EntrySource
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_apply, zone_lock
from childsafe.lib.domains import InvalidDomain, normalise_domain
from childsafe.lib.urls import InvalidURL, host_is_ip, normalise_url
from childsafe.orgs.models import User
from childsafe.reports.models import Category

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:worker"
MAX_BULK_ENTRIES = 10_000
NOTE_MAX_CHARS = 300
DECISION_MAX_CHARS = 300
EXPIRED_DECISION = "expired"
# Hosts looked up per query when checking a batch for duplicates.
_CHUNK = 500
# ``Category.values`` builds a new list at each use; a batch checks every item's reason.
_REASONS = frozenset(Category.values)


class BlocklistError(Exception):
    """A change the authority list refuses. ``field`` names the input at fault (empty:
    none in particular); ``code`` says why in a word, for logs and callers."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class BulkEntryError(BlocklistError):
    """Some items of a batch were refused, and nothing was saved. ``errors`` holds one
    ``(index, field, message)`` per problem; ``codes`` counts the problems by code."""

    def __init__(self, errors: list[tuple[int, str, str]], codes: Counter[str]) -> None:
        super().__init__(_("Some entries were refused; nothing was saved."), code="batch")
        self.errors = errors
        self.codes = codes


@dataclass(frozen=True)
class Target:
    """A blocking target in canonical form: ``kind`` (``EntryKind``), ``value`` and the
    ``host`` it is on (the domain itself for a domain)."""

    kind: str
    value: str
    host: str


@dataclass(frozen=True)
class _Valid:
    target: Target
    reason: str
    note: str
    review_on: dt.date | None
    expires_at: dt.datetime | None


def _actor_user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _refused(code: str) -> None:
    log.info("blocklist: entry refused (%s)", code)


# --- Checking what an officer typed ------------------------------------------------------


def target_parse(raw: str) -> Target:
    """What an officer typed, as a target: text with a scheme or a ``/`` is a web address
    (``lib.urls.normalise_url``), anything else a domain (``lib.domains.normalise_domain``,
    a leading ``*.`` allowed). Internationalised names become punycode. Raises
    ``BlocklistError`` for junk, IP addresses (as domains and as a web address's host)
    and public suffixes (``vn``, ``com.vn``: never blockable)."""
    text = (raw or "").strip()
    if not text:
        raise BlocklistError(_("Give a domain or a web address."), field="value", code="empty")
    if "://" in text or "/" in text:
        try:
            url = normalise_url(text)
        except InvalidURL:
            raise BlocklistError(
                _("This is not a valid web address: check it for typos."),
                field="value",
                code="not-a-url",
            ) from None
        host = urlsplit(url).hostname or ""
        if host_is_ip(host):
            raise BlocklistError(
                _(
                    "A web address on an IP address instead of a name cannot go on the "
                    "authority list: filters block names."
                ),
                field="value",
                code="ip",
            )
        try:
            normalise_domain(host)
        except InvalidDomain as exc:
            raise BlocklistError(
                _("The web address's host cannot be blocked: %(reason)s.") % {"reason": exc},
                field="value",
                code=exc.code,
            ) from None
        return Target(kind=EntryKind.URL, value=url, host=host)
    try:
        domain = normalise_domain(text)
    except InvalidDomain as exc:
        raise BlocklistError(
            _("This domain cannot be blocked: %(reason)s.") % {"reason": exc},
            field="value",
            code=exc.code,
        ) from None
    return Target(kind=EntryKind.DOMAIN, value=domain, host=domain)


def _check_reason(reason: str) -> str:
    if reason not in _REASONS:
        raise BlocklistError(_("Choose a reason from the list."), field="reason", code="reason")
    return reason


def _check_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise BlocklistError(
            _("Keep the reason in words under %(n)d characters.") % {"n": NOTE_MAX_CHARS},
            field="note",
            code="note",
        )
    return note


def _check_review_on(review_on: dt.date | None, today: dt.date) -> dt.date:
    if review_on is None:
        raise BlocklistError(
            _("An entry added by hand needs a review date."), field="review_on", code="review"
        )
    if review_on <= today:
        raise BlocklistError(
            _("The review date must be in the future."), field="review_on", code="review"
        )
    return review_on


def _check_expires_at(expires_at: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        # Read as the province's local time (settings.TIME_ZONE).
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise BlocklistError(
            _("The expiry must be in the future."), field="expires_at", code="expiry"
        )
    return expires_at


def _check_decision(decision: str | None) -> str:
    decision = (decision or "").strip()
    if not decision:
        raise BlocklistError(
            _("Record the decision to lift the entry."), field="decision", code="decision"
        )
    if len(decision) > DECISION_MAX_CHARS:
        raise BlocklistError(
            _("Keep the decision under %(n)d characters.") % {"n": DECISION_MAX_CHARS},
            field="decision",
            code="decision",
        )
    return decision


def _check_manual(
    *,
    value: str,
    reason: str,
    note: str | None,
    review_on: dt.date | None,
    expires_at: dt.datetime | None,
    now: dt.datetime,
    today: dt.date | None = None,
) -> _Valid:
    return _Valid(
        target=target_parse(value),
        reason=_check_reason(reason),
        note=_check_note(note),
        review_on=_check_review_on(review_on, today or timezone.localdate(now)),
        expires_at=_check_expires_at(expires_at, now),
    )


def _duplicate_message(entry_id: int) -> str:
    return _("Already on the authority list: entry no. %(id)d.") % {"id": entry_id}


def _manual_entry(valid: _Valid, *, actor: Any, now: dt.datetime) -> AuthorityEntry:
    return AuthorityEntry(
        kind=valid.target.kind,
        value=valid.target.value,
        host=valid.target.host,
        reason=valid.reason,
        source=EntrySource.MANUAL,
        note=valid.note,
        added_by=_actor_user(actor),
        added_at=now,
        review_on=valid.review_on,
        expires_at=valid.expires_at,
    )


def _domain_hosts(entries: Sequence[AuthorityEntry]) -> list[str]:
    return [e.host for e in entries if e.kind == EntryKind.DOMAIN]


# --- Adding by hand ----------------------------------------------------------------------


def entry_add(
    *,
    actor: Any,
    value: str,
    reason: str,
    note: str,
    review_on: dt.date | None,
    expires_at: dt.datetime | None = None,
) -> AuthorityEntry:
    """Add one domain or web address by hand. Raises ``BlocklistError`` for bad input
    and for a value already active on the list (whatever its source)."""
    now = timezone.now()
    try:
        valid = _check_manual(
            value=value,
            reason=reason,
            note=note,
            review_on=review_on,
            expires_at=expires_at,
            now=now,
        )
        with transaction.atomic():
            zone_lock(AUTHORITY_ZONE)
            existing = (
                AuthorityEntry.objects.active(now)
                .filter(kind=valid.target.kind, host=valid.target.host, value=valid.target.value)
                .values_list("pk", flat=True)
                .first()
            )
            if existing is not None:
                raise BlocklistError(_duplicate_message(existing), field="value", code="duplicate")
            entry = _manual_entry(valid, actor=actor, now=now)
            entry.save(force_insert=True)
            audit_record(
                "blocklist.entry_add",
                actor=actor,
                obj=entry,
                detail={
                    "kind": entry.kind,
                    "reason": entry.reason,
                    "source": entry.source,
                    "review_on": entry.review_on,
                    "expires_at": entry.expires_at,
                },
            )
            zone_apply(AUTHORITY_ZONE, added=_domain_hosts([entry]), added_inserted=True)
    except BlocklistError as exc:
        _refused(exc.code)
        raise
    return entry


def entries_add_bulk(*, actor: Any, items: Sequence[Mapping[str, Any]]) -> list[AuthorityEntry]:
    """Add many entries by hand (the API), all or nothing.

    Each item has ``value``, ``reason``, ``note``, ``review_on`` and ``expires_at``, as
    for ``entry_add``. Every item is checked before anything is written, and the batch
    is refused with ``BulkEntryError`` listing every problem: bad input, a value twice
    in the batch, a value already active on the list. Built for speed: the checks run
    without queries, duplicates are found with one query per 500 hosts, the entries
    are written with one ``bulk_create`` (one INSERT on PostgreSQL), and the zone's
    journal gets one step, without reading back the entries just written.
    """
    now = timezone.now()
    if not items:
        _refused("empty-batch")
        raise BlocklistError(_("Send at least one entry."), field="entries", code="empty-batch")
    if len(items) > MAX_BULK_ENTRIES:
        _refused("batch-too-large")
        raise BlocklistError(
            _("Send at most %(n)d entries at a time.") % {"n": MAX_BULK_ENTRIES},
            field="entries",
            code="batch-too-large",
        )
    today = timezone.localdate(now)
    errors: list[tuple[int, str, str]] = []
    codes: Counter[str] = Counter()
    valid: list[tuple[int, _Valid]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        try:
            checked = _check_manual(
                value=item.get("value", ""),
                reason=item.get("reason", ""),
                note=item.get("note", ""),
                review_on=item.get("review_on"),
                expires_at=item.get("expires_at"),
                now=now,
                today=today,
            )
        except BlocklistError as exc:
            errors.append((index, exc.field, exc.message))
            codes[exc.code] += 1
            continue
        key = (checked.target.kind, checked.target.value)
        if key in seen:
            message = _("The same value is item %(n)d of this batch.") % {"n": seen[key]}
            errors.append((index, "value", message))
            codes["duplicate"] += 1
            continue
        seen[key] = index
        valid.append((index, checked))
    try:
        with transaction.atomic():
            zone_lock(AUTHORITY_ZONE)
            for index, entry_id in _active_duplicates(valid, now):
                errors.append((index, "value", _duplicate_message(entry_id)))
                codes["duplicate"] += 1
            if errors:
                raise BulkEntryError(sorted(errors), codes)
            # One INSERT on PostgreSQL (Django sends columns as arrays, with no limit on
            # parameters); SQLite's limit on parameters makes Django split the batch.
            entries = AuthorityEntry.objects.bulk_create(
                [_manual_entry(checked, actor=actor, now=now) for _i, checked in valid]
            )
            audit_record(
                "blocklist.entries_add",
                actor=actor,
                object_type=AuthorityEntry._meta.label_lower,
                detail={
                    "count": len(entries),
                    "reasons": dict(Counter(e.reason for e in entries)),
                    "entry_ids": [e.pk for e in entries],
                },
            )
            # The entries were just inserted, active: zone_apply need not read them back.
            zone_apply(AUTHORITY_ZONE, added=_domain_hosts(entries), added_inserted=True)
    except BulkEntryError as exc:
        log.info(
            "blocklist: batch of %d refused, %d problem(s): %s",
            len(items),
            len(exc.errors),
            ", ".join(f"{code} {n}" for code, n in sorted(exc.codes.items())),
        )
        raise
    return entries


def _active_duplicates(valid: list[tuple[int, _Valid]], now: dt.datetime) -> list[tuple[int, int]]:
    """``(index, id of the active entry)`` for each item already on the list."""
    wanted = {(c.target.kind, c.target.value): i for i, c in valid}
    hosts = sorted({c.target.host for _i, c in valid})
    found: list[tuple[int, int]] = []
    for start in range(0, len(hosts), _CHUNK):
        rows = (
            AuthorityEntry.objects.active(now)
            .filter(host__in=hosts[start : start + _CHUNK])
            .order_by()
            .values_list("pk", "kind", "value")
        )
        for pk, kind, value in rows:
            if (kind, value) in wanted:
                found.append((wanted.pop((kind, value)), pk))
    return found


# --- Lifting and expiry ------------------------------------------------------------------


def entry_lift(entry: AuthorityEntry, *, actor: Any, decision: str) -> AuthorityEntry:
    """Take an active entry off the list with the decision that lifts it. Raises
    ``BlocklistError`` without a decision, or when the entry was already lifted or
    has expired (``code`` ``inactive``)."""
    try:
        decision = _check_decision(decision)
        with transaction.atomic():
            zone_lock(AUTHORITY_ZONE)
            now = timezone.now()
            changed = (
                AuthorityEntry.objects.active(now)
                .filter(pk=entry.pk)
                .update(lifted_at=now, lifted_by=_actor_user(actor), lift_decision=decision)
            )
            if changed != 1:
                raise BlocklistError(
                    _("This entry is no longer active: it was lifted or has expired."),
                    code="inactive",
                )
            entry.refresh_from_db()
            audit_record(
                "blocklist.entry_lift",
                actor=actor,
                obj=entry,
                detail={"kind": entry.kind, "source": entry.source},
            )
            zone_apply(AUTHORITY_ZONE, removed=_domain_hosts([entry]))
    except BlocklistError as exc:
        _refused(exc.code)
        raise
    return entry


def entries_expire_next(now: dt.datetime | None = None) -> AuthorityEntry | None:
    """Take the earliest expired entry not yet handled out of the zone and record the
    decision "expired"; ``None`` when there is none. Claims the entry with a conditional
    update, so several workers may run side by side."""
    now = now or timezone.now()
    due = AuthorityEntry.objects.filter(
        expires_at__lte=now, lifted_at__isnull=True, expiry_processed_at__isnull=True
    )
    while True:
        entry_id = due.order_by("expires_at", "pk").values_list("pk", flat=True).first()
        if entry_id is None:
            return None
        with transaction.atomic():
            if due.filter(pk=entry_id).update(expiry_processed_at=now) != 1:
                continue  # another worker took it, or it was lifted meanwhile
            entry = AuthorityEntry.objects.get(pk=entry_id)
            audit_record(
                "blocklist.entry_expire",
                actor=SYSTEM_ACTOR,
                obj=entry,
                detail={
                    "decision": EXPIRED_DECISION,
                    "kind": entry.kind,
                    "source": entry.source,
                },
            )
            zone_apply(AUTHORITY_ZONE, removed=_domain_hosts([entry]))
            return entry


# --- Blocking orders (called by the takedown app) ---------------------------------------


def entries_publish_for_order(order: Any, *, actor: Any) -> list[AuthorityEntry]:
    """Put the targets of a blocking order on the list; return the entries made.

    Run inside the caller's transaction. Idempotent: a target whose entry
    (``source_ref`` ``<reference>/<target id>``) is active is left alone, so a second
    call makes nothing; a target whose entry was lifted gets a new one. A domain
    target must still pass ``normalise_domain`` (no public suffix ever reaches the
    zone): if one does not, ``BlocklistError`` is raised and the caller's change rolls
    back.
    """
    with transaction.atomic():
        zone_lock(AUTHORITY_ZONE)
        now = timezone.now()
        targets = {f"{order.reference}/{t.pk}": t for t in order.targets.all()}
        published = set(
            AuthorityEntry.objects.active(now)
            .filter(source=EntrySource.ORDER, source_ref__in=list(targets))
            .values_list("source_ref", flat=True)
        )
        new = []
        for ref, target in targets.items():
            if ref in published:
                continue
            if target.kind == EntryKind.DOMAIN:
                try:
                    normalise_domain(target.value)
                except InvalidDomain as exc:
                    _refused(exc.code)
                    raise BlocklistError(
                        _("Target %(id)d of the order cannot be blocked: %(reason)s.")
                        % {"id": target.pk, "reason": exc},
                        code=exc.code,
                    ) from None
            new.append(
                AuthorityEntry(
                    kind=target.kind,
                    value=target.value,
                    host=target.host,
                    reason=order.reason,
                    source=EntrySource.ORDER,
                    source_ref=ref,
                    added_by=_actor_user(actor),
                    added_at=now,
                )
            )
        if not new:
            return []
        entries = AuthorityEntry.objects.bulk_create(new, batch_size=_CHUNK)
        audit_record(
            "blocklist.entries_publish",
            actor=actor,
            obj=order,
            detail={"count": len(entries), "entry_ids": [e.pk for e in entries]},
        )
        zone_apply(AUTHORITY_ZONE, added=_domain_hosts(entries), added_inserted=True)
    return entries


def entries_lift_for_order(order: Any, *, decision: str, actor: Any) -> int:
    """Lift the active entries of a blocking order with ``decision`` (the order was
    withdrawn, say); return how many. Run inside the caller's transaction."""
    decision = _check_decision(decision)
    with transaction.atomic():
        zone_lock(AUTHORITY_ZONE)
        now = timezone.now()
        rows = list(
            AuthorityEntry.objects.active(now)
            .filter(source=EntrySource.ORDER, source_ref__startswith=f"{order.reference}/")
            .values_list("pk", "kind", "host")
        )
        if not rows:
            return 0
        lifted = AuthorityEntry.objects.filter(pk__in=[pk for pk, _k, _h in rows]).update(
            lifted_at=now, lifted_by=_actor_user(actor), lift_decision=decision
        )
        audit_record(
            "blocklist.entries_lift_for_order",
            actor=actor,
            obj=order,
            detail={"count": lifted, "entry_ids": [pk for pk, _k, _h in rows]},
        )
        zone_apply(
            AUTHORITY_ZONE, removed=[host for _pk, kind, host in rows if kind == EntryKind.DOMAIN]
        )
    return lifted
