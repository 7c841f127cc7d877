"""Everything that changes a school filtering policy (``grep "def list_"``, ``school_``).

Each service runs in one transaction and writes its audit event in it; refusals raise
``PolicyError`` with a translated message, the field at fault and a one-word ``code``.
Audit details hold ids, codes and counts, never domains a school asked for.

- ``list_import``: a category list's new version from a file's text; replaces the
  active version atomically (the old one stays, for ``list_rollback``).
- ``list_rollback``: make the version before the active one active again.
- ``tier_rule_set``: a province default (``school=None``) or a school's override;
  ``tier_rule_remove`` takes an override away (back to the province default). Who may
  set what is checked here (``rule_blocks_at_least``, ``SCHOOL_LOOSENABLE``).
- ``school_network_add`` / ``school_network_remove``: a client subnet and its tier.
- ``school_deny_add``, ``school_allow_request``, ``school_entry_remove``: the school's
  own lists; an allow request waits for ``school_allow_decide`` by the education officer.
- ``school_settings_set``: how the school's filter answers blocked names, its default
  tier, and where its box takes a NOTIFY after each change (``notify``).
- ``query_log_enable`` / ``query_log_end``: a period of the per-device query log on the
  school's box (``query_log_active`` is the one in force, for the compiled policy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import zlib
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.audit.services import audit_record
from childsafe.blocklist.models import (
    AuthorityEntry,
    BlockMode,
    CategoryList,
    CategoryListVersion,
    EntryKind,
    FilterCategory,
    QueryLogPeriod,
    SchoolFilterSettings,
    SchoolListEntry,
    SchoolListKind,
    SchoolListStatus,
    SchoolNetwork,
    Tier,
    TierRule,
)
from childsafe.blocklist.policy.importers import ImportFormatError, parse_list
from childsafe.blocklist.policy.notify import BoxAddressError, box_address_parse, box_address_text
from childsafe.lib.domains import InvalidDomain, normalise_domain
from childsafe.orgs.models import Organisation, OrgKind, User
from childsafe.orgs.roles import Perm, role_has_perm

REASON_MAX_CHARS = 300
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PolicyError(Exception):
    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


# --- Category lists ----------------------------------------------------------------------


def pack_domains(domains: list[str]) -> tuple[bytes, str]:
    """(zlib blob, sha256 hex) of sorted canonical ``domains``."""
    text = "\n".join(domains).encode()
    return zlib.compress(text, 6), hashlib.sha256(text).hexdigest()


def unpack_domains(blob: bytes | memoryview) -> list[str]:
    text = zlib.decompress(bytes(blob)).decode()
    return text.split("\n") if text else []


def list_import(
    *,
    actor: Any,
    category: str,
    name: str,
    source: str,
    licence: str,
    text: str,
    file_format: str | None = None,
) -> CategoryListVersion:
    """Parse ``text`` and make it the active version of the list called ``name``
    (created if new). All or nothing: a refused file leaves the list as it was."""
    if category not in FilterCategory.values:
        raise PolicyError(_("Choose a category from the list."), field="category", code="category")
    name, source, licence = name.strip(), source.strip(), licence.strip()
    for field, value in (("name", name), ("source", source), ("licence", licence)):
        if not value:
            raise PolicyError(_("This field is required."), field=field, code="required")
    try:
        parsed = parse_list(text, file_format)
    except ImportFormatError as exc:
        raise PolicyError(exc.message, field="file", code=exc.code) from None
    blob, digest = pack_domains(parsed.domains)
    with transaction.atomic():
        category_list, created = CategoryList.objects.select_for_update().get_or_create(
            name=name, defaults={"category": category, "source": source, "licence": licence}
        )
        if not created and category_list.category != category:
            raise PolicyError(
                _("A list of this name exists in another category."), field="name", code="name"
            )
        version = CategoryListVersion.objects.create(
            category_list=category_list,
            created_by=_user(actor),
            file_format=parsed.file_format,
            entry_count=len(parsed.domains),
            skipped_count=parsed.skipped,
            invalid_count=parsed.invalid,
            sha256=digest,
            domains_blob=blob,
        )
        category_list.source, category_list.licence = source, licence
        category_list.active_version = version
        category_list.save(update_fields=["source", "licence", "active_version"])
        audit_record(
            "filter.list_import",
            actor=actor,
            obj=category_list,
            detail={
                "version": version.pk,
                "category": category,
                "format": parsed.file_format,
                "domains": version.entry_count,
                "invalid": parsed.invalid,
                "skipped": parsed.skipped,
            },
        )
    return version


def list_rollback(category_list: CategoryList, *, actor: Any) -> CategoryListVersion:
    """Make the version imported before the active one active again."""
    with transaction.atomic():
        locked = CategoryList.objects.select_for_update().get(pk=category_list.pk)
        current = locked.active_version
        previous = (
            locked.versions.filter(pk__lt=current.pk).order_by("-pk").first()
            if current is not None
            else None
        )
        if previous is None:
            raise PolicyError(_("There is no earlier version to go back to."), code="no-previous")
        locked.active_version = previous
        locked.save(update_fields=["active_version"])
        audit_record(
            "filter.list_rollback",
            actor=actor,
            obj=locked,
            detail={"from": current.pk if current else None, "to": previous.pk},
        )
    category_list.active_version = previous
    return previous


# --- Rules -------------------------------------------------------------------------------


def schedule_validate(schedule: Any) -> list[dict[str, Any]]:
    """The canonical form of a schedule (a list of ``{"days", "start", "end"}``), or
    ``PolicyError``. Days 0 = Monday .. 6 = Sunday; ``start`` before ``end``, HH:MM."""
    if schedule in (None, ""):
        return []
    message = _(
        'A schedule is a list of {"days": [0-6], "start": "HH:MM", "end": "HH:MM"} '
        "with start before end (0 = Monday)."
    )
    if not isinstance(schedule, list):
        raise PolicyError(message, field="schedule", code="schedule")
    windows = []
    for window in schedule:
        if not isinstance(window, dict) or set(window) != {"days", "start", "end"}:
            raise PolicyError(message, field="schedule", code="schedule")
        days, start, end = window["days"], window["start"], window["end"]
        if (
            not isinstance(days, list)
            or not days
            or not all(
                isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days
            )
            or not isinstance(start, str)
            or not isinstance(end, str)
            or not _TIME.match(start)
            or not _TIME.match(end)
            or start >= end
        ):
            raise PolicyError(message, field="schedule", code="schedule")
        windows.append({"days": sorted(set(days)), "start": start, "end": end})
    return windows


# Categories the province blocks by timetable (lessons), not for the harm they do: the
# only ones a school IT admin may make looser than the province default.
SCHOOL_LOOSENABLE = frozenset({FilterCategory.GAMES.value, FilterCategory.SOCIAL.value})


def _windows_cover(start: str, end: str, windows: list[tuple[str, str]]) -> bool:
    """Whether ``windows`` (sorted by start) together cover ``[start, end)``."""
    reach = start
    for window_start, window_end in windows:
        if window_start > reach:
            break
        reach = max(reach, window_end)
        if reach >= end:
            return True
    return reach >= end


def rule_blocks_at_least(
    is_blocked: bool, schedule: list[dict[str, Any]], default: TierRule | None
) -> bool:
    """Whether a rule (``is_blocked`` with canonical ``schedule``, empty: at all times)
    blocks at every moment the province ``default`` blocks (none: it never blocks).
    Windows cover the default's windows when, on each day, every default window lies
    within the union of the rule's windows of that day."""
    if default is None or not default.is_blocked:
        return True
    if not is_blocked:
        return False
    if not schedule:
        return True
    if not default.schedule:
        return False
    for day in range(7):
        mine = sorted((w["start"], w["end"]) for w in schedule if day in w["days"])
        for window in default.schedule:
            if day in window["days"] and not _windows_cover(window["start"], window["end"], mine):
                return False
    return True


def _rule_actor_may_loosen(actor: Any, school: Organisation | None) -> bool:
    """Whether ``actor`` may set any rule for ``school`` (``None``: the province
    defaults), or only rules that block at least as much as the province default
    (a school IT admin, for their own school). Anyone else: ``PolicyError``. An actor
    that is not a person (a command) is trusted."""
    user = _user(actor)
    if user is None or role_has_perm(user.role, Perm.FILTER_POLICY_MANAGE):
        return True
    if school is None:
        raise PolicyError(
            _("Only the education officer changes the province's rules."), code="forbidden"
        )
    if role_has_perm(user.role, Perm.FILTER_SCHOOL_MANAGE) and user.organisation_id == school.pk:
        return False
    raise PolicyError(_("You cannot change the rules of this school."), code="forbidden")


def _check_rule_key(tier: str, category: str) -> None:
    if tier not in Tier.values:
        raise PolicyError(_("Choose a tier from the list."), field="tier", code="tier")
    if category not in FilterCategory.values:
        raise PolicyError(_("Choose a category from the list."), field="category", code="category")


def tier_rule_set(
    *,
    actor: Any,
    school: Organisation | None,
    tier: str,
    category: str,
    is_blocked: bool,
    schedule: Any = None,
) -> TierRule:
    """Set a province default (``school=None``: ``filter_policy.manage``) or a school's
    override of it (``filter_policy.manage`` for any school; ``filter_school.manage``
    for their own school, where a category outside ``SCHOOL_LOOSENABLE`` must stay
    blocked at least whenever the province default blocks it)."""
    _check_rule_key(tier, category)
    if school is not None:
        _check_school(school)
    may_loosen = _rule_actor_may_loosen(actor, school)
    windows = schedule_validate(schedule) if is_blocked else []
    with transaction.atomic():
        if not may_loosen and category not in SCHOOL_LOOSENABLE:
            default = (
                TierRule.objects.select_for_update()
                .filter(school__isnull=True, tier=tier, category=category)
                .first()
            )
            if not rule_blocks_at_least(is_blocked, windows, default):
                raise PolicyError(
                    _(
                        "The province blocks “%(category)s” for this tier: your school may "
                        "block it more, never less. Ask the education officer."
                    )
                    % {"category": FilterCategory(category).label},
                    field="is_blocked",
                    code="protected",
                )
        rule, _created = TierRule.objects.select_for_update().update_or_create(
            school=school,
            tier=tier,
            category=category,
            defaults={
                "is_blocked": is_blocked,
                "schedule": windows,
                "may_loosen": school is not None and may_loosen,
            },
        )
        audit_record(
            "filter.rule_set",
            actor=actor,
            obj=rule,
            detail={
                "school": school.pk if school else None,
                "tier": tier,
                "category": category,
                "blocked": is_blocked,
                "windows": len(windows),
            },
        )
    return rule


def tier_rule_remove(*, actor: Any, school: Organisation, tier: str, category: str) -> None:
    """Take away a school's override: the province default applies again. Whoever may
    set the school's rules may remove them; going back to the province's own choice
    is never refused as looser."""
    _check_rule_key(tier, category)
    _check_school(school)
    _rule_actor_may_loosen(actor, school)
    with transaction.atomic():
        rule = (
            TierRule.objects.select_for_update()
            .filter(school=school, tier=tier, category=category)
            .first()
        )
        if rule is None:
            raise PolicyError(
                _("The school has no rule of its own here: the province default applies."),
                code="no-rule",
            )
        audit_record(
            "filter.rule_remove",
            actor=actor,
            obj=rule,
            detail={
                "school": school.pk,
                "tier": tier,
                "category": category,
                "blocked": rule.is_blocked,
                "windows": len(rule.schedule),
            },
        )
        rule.delete()


# --- A school's networks and lists ---------------------------------------------------------


def _check_school(school: Organisation) -> None:
    if school.kind != OrgKind.SCHOOL:
        raise PolicyError(_("This organisation is not a school."), code="not-a-school")


def cidr_parse(raw: str) -> str:
    try:
        network = ipaddress.ip_network((raw or "").strip(), strict=False)
    except ValueError:
        raise PolicyError(
            _("Give a network such as 10.10.1.0/24 or 2001:db8:1::/64."),
            field="cidr",
            code="cidr",
        ) from None
    return str(network)


def school_network_add(school: Organisation, *, actor: Any, cidr: str, tier: str) -> SchoolNetwork:
    _check_school(school)
    cidr = cidr_parse(cidr)
    if tier not in Tier.values:
        raise PolicyError(_("Choose a tier from the list."), field="tier", code="tier")
    try:
        with transaction.atomic():
            network = SchoolNetwork.objects.create(school=school, cidr=cidr, tier=tier)
            audit_record(
                "filter.network_add", actor=actor, obj=network, detail={"school": school.pk}
            )
    except IntegrityError:
        raise PolicyError(
            _("This network is already listed."), field="cidr", code="duplicate"
        ) from None
    return network


def school_network_remove(network: SchoolNetwork, *, actor: Any) -> None:
    with transaction.atomic():
        audit_record(
            "filter.network_remove", actor=actor, obj=network, detail={"school": network.school_id}
        )
        network.delete()


def _domain(raw: str) -> str:
    try:
        return normalise_domain(raw or "")
    except InvalidDomain as exc:
        raise PolicyError(
            _("This domain cannot be listed: %(reason)s.") % {"reason": exc},
            field="domain",
            code=exc.code,
        ) from None


def _check_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise PolicyError(_("Give a reason."), field="reason", code="reason")
    if len(reason) > REASON_MAX_CHARS:
        raise PolicyError(
            _("Keep it under %(n)d characters.") % {"n": REASON_MAX_CHARS},
            field="reason",
            code="reason",
        )
    return reason


def _authority_blocks(domain: str) -> bool:
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels))]
    return AuthorityEntry.objects.active().filter(kind=EntryKind.DOMAIN, host__in=names).exists()


def _add_entry(
    school: Organisation, *, actor: Any, kind: str, domain: str, status: str, reason: str
) -> SchoolListEntry:
    existing = SchoolListEntry.objects.select_for_update().filter(
        school=school, kind=kind, domain=domain
    )
    entry = existing.first()
    if entry is not None and entry.status != SchoolListStatus.REFUSED:
        raise PolicyError(_("This domain is already listed."), field="domain", code="duplicate")
    if entry is None:
        entry = SchoolListEntry(school=school, kind=kind, domain=domain)
    entry.status = status
    entry.requested_by = _user(actor)
    entry.requested_at = timezone.now()
    entry.justification = reason
    entry.decided_by, entry.decided_at, entry.reason = None, None, ""
    entry.save()
    return entry


def school_deny_add(
    school: Organisation, *, actor: Any, domain: str, reason: str = ""
) -> SchoolListEntry:
    """Add a domain to the school's deny list: in force at once."""
    _check_school(school)
    domain = _domain(domain)
    reason = _check_reason(reason, required=False)
    with transaction.atomic():
        entry = _add_entry(
            school,
            actor=actor,
            kind=SchoolListKind.DENY,
            domain=domain,
            status=SchoolListStatus.APPROVED,
            reason=reason,
        )
        audit_record("filter.deny_add", actor=actor, obj=entry, detail={"school": school.pk})
    return entry


def school_allow_request(
    school: Organisation, *, actor: Any, domain: str, reason: str
) -> SchoolListEntry:
    """Ask the education officer to allow a domain at the school. A domain on the
    authority list can never be allowed: refused at once."""
    _check_school(school)
    domain = _domain(domain)
    reason = _check_reason(reason, required=True)
    if _authority_blocks(domain):
        raise PolicyError(
            _("This domain is on the authority list: it cannot be allowed."),
            field="domain",
            code="authority",
        )
    with transaction.atomic():
        entry = _add_entry(
            school,
            actor=actor,
            kind=SchoolListKind.ALLOW,
            domain=domain,
            status=SchoolListStatus.REQUESTED,
            reason=reason,
        )
        audit_record("filter.allow_request", actor=actor, obj=entry, detail={"school": school.pk})
    return entry


def school_allow_decide(
    entry: SchoolListEntry, *, actor: Any, approve: bool, reason: str
) -> SchoolListEntry:
    """The education officer approves or refuses an allow request, with a reason."""
    reason = _check_reason(reason, required=True)
    with transaction.atomic():
        locked = SchoolListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.kind != SchoolListKind.ALLOW or locked.status != SchoolListStatus.REQUESTED:
            raise PolicyError(_("This request has already been decided."), code="decided")
        if approve and _authority_blocks(locked.domain):
            raise PolicyError(
                _("This domain is on the authority list: it cannot be allowed."),
                code="authority",
            )
        locked.status = SchoolListStatus.APPROVED if approve else SchoolListStatus.REFUSED
        locked.decided_by = _user(actor)
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(
            "filter.allow_approve" if approve else "filter.allow_refuse",
            actor=actor,
            obj=locked,
            detail={"school": locked.school_id},
        )
    return locked


def school_entry_remove(entry: SchoolListEntry, *, actor: Any) -> None:
    with transaction.atomic():
        audit_record(
            "filter.entry_remove",
            actor=actor,
            obj=entry,
            detail={"school": entry.school_id, "kind": entry.kind},
        )
        entry.delete()


def school_settings_set(
    school: Organisation,
    *,
    actor: Any,
    block_mode: str,
    block_ipv4: str | None,
    block_ipv6: str | None,
    default_tier: str,
    box_notify: str = "",
) -> SchoolFilterSettings:
    """How the school's filter answers a blocked name (NXDOMAIN, or the address of a
    block page, which then needs at least one address), the tier of clients outside
    the listed networks, and the box's NOTIFY address (``address:port``, IP literals
    only; empty: the box only polls)."""
    _check_school(school)
    try:
        box = box_address_text(*box_address_parse(box_notify)) if box_notify.strip() else ""
    except BoxAddressError as exc:
        raise PolicyError(str(exc), field="box_notify", code="address") from None
    if block_mode not in BlockMode.values:
        raise PolicyError(_("Choose an answer from the list."), field="block_mode", code="mode")
    if default_tier not in Tier.values:
        raise PolicyError(_("Choose a tier from the list."), field="default_tier", code="tier")
    addresses: dict[str, str | None] = {}
    for field, raw, version in (("block_ipv4", block_ipv4, 4), ("block_ipv6", block_ipv6, 6)):
        value = (raw or "").strip()
        if not value:
            addresses[field] = None
            continue
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            address = None
        if address is None or address.version != version:
            raise PolicyError(
                _("Give an IPv%(v)d address.") % {"v": version}, field=field, code="address"
            )
        addresses[field] = str(address)
    if block_mode == BlockMode.BLOCKPAGE and not any(addresses.values()):
        raise PolicyError(
            _("A block page needs its IPv4 or IPv6 address."), field="block_ipv4", code="address"
        )
    with transaction.atomic():
        settings, _created = SchoolFilterSettings.objects.select_for_update().update_or_create(
            school=school,
            defaults={
                "block_mode": block_mode,
                "default_tier": default_tier,
                "box_notify": box,
                **addresses,
            },
        )
        audit_record(
            "filter.settings_set",
            actor=actor,
            obj=settings,
            detail={
                "school": school.pk,
                "mode": block_mode,
                "default_tier": default_tier,
                "box_notify": box,
            },
        )
    return settings


# --- The per-device query log ------------------------------------------------------------

QUERY_LOG_MAX = dt.timedelta(days=QueryLogPeriod.MAX_DAYS)
QUERY_LOG_START_GRACE = dt.timedelta(minutes=5)  # "from now" typed a moment ago


def query_log_active(
    school: Organisation, now: dt.datetime | None = None
) -> QueryLogPeriod | None:
    """The school's period in force at ``now``, if any (for the compiled policy)."""
    now = now or timezone.now()
    periods = QueryLogPeriod.objects.filter(school=school, starts_at__lte=now, ends_at__gt=now)
    for period in periods.filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=now)):
        return period
    return None


def query_log_enable(
    school: Organisation,
    *,
    actor: Any,
    ends_at: dt.datetime,
    reason: str,
    starts_at: dt.datetime | None = None,
) -> QueryLogPeriod:
    """Turn the school's per-device query log on from ``starts_at`` (default: now) to
    ``ends_at``, at most 7 days, not in the past, overlapping no other period. The
    reason goes into the audit event (like a reveal's reason); it must hold no
    personal data."""
    _check_school(school)
    reason = _check_reason(reason, required=True)
    now = timezone.now()
    starts_at = starts_at or now
    if starts_at < now - QUERY_LOG_START_GRACE:
        raise PolicyError(
            _("The period cannot start in the past."), field="starts_at", code="past"
        )
    starts_at = max(starts_at, now)
    if ends_at <= starts_at:
        raise PolicyError(_("The period must end after it starts."), field="ends_at", code="order")
    if ends_at - starts_at > QUERY_LOG_MAX:
        raise PolicyError(
            _("A period lasts at most %(n)d days.") % {"n": QueryLogPeriod.MAX_DAYS},
            field="ends_at",
            code="too-long",
        )
    user = _user(actor)
    if user is None:
        raise PolicyError(_("Only a person can enable the query log."), code="actor")
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=school.pk).first()
        overlapping = QueryLogPeriod.objects.filter(
            school=school, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=starts_at))
        if overlapping.exists():
            raise PolicyError(
                _("This period overlaps another query log period of the school."),
                field="starts_at",
                code="overlap",
            )
        period = QueryLogPeriod.objects.create(
            school=school,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            enabled_by=user,
            enabled_at=now,
        )
        audit_record(
            "filter.query_log_enable",
            actor=actor,
            obj=period,
            detail={
                "school": school.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "reason": reason,
            },
        )
    return period


def query_log_end(period: QueryLogPeriod, *, actor: Any) -> QueryLogPeriod:
    """End a period now (one still to come is ended before it starts). The box stops
    logging at its next policy download."""
    with transaction.atomic():
        locked = QueryLogPeriod.objects.select_for_update().get(pk=period.pk)
        now = timezone.now()
        if not locked.can_end(now):
            raise PolicyError(_("This period is already over."), code="over")
        locked.ended_early_at = now
        locked.ended_early_by = _user(actor)
        locked.save(update_fields=["ended_early_at", "ended_early_by"])
        audit_record(
            "filter.query_log_end",
            actor=actor,
            obj=locked,
            detail={"school": locked.school_id},
        )
    return locked
