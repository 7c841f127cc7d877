"""What can happen to a report: submission through any of the three doors, and the
public status its reporter sees.

``report_submit`` checks everything first (fields, URLs, files), then stores the report,
its URLs, its encrypted files and the audit event in one transaction: a report is
complete or absent, never half-made. The access key is returned once; only its keyed
digest is kept, except for submissions carrying an idempotency key, whose key is kept
encrypted so that a retry gets the same answer (see ``report_submit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.audit.services import audit_record
from childsafe.lib.crypto import encrypt_bytes
from childsafe.lib.files import (
    Evidence,
    EvidenceError,
    check_evidence,
    check_evidence_count,
    check_evidence_size,
)
from childsafe.lib.urls import InvalidURL, host_is_ip, normalise_url, url_host
from childsafe.orgs.models import AdminUnit
from childsafe.reports.consent import CONSENT_TEXTS, CURRENT
from childsafe.reports.models import (
    DESCRIPTION_MAX_CHARS,
    MAX_URLS_PER_REPORT,
    PLATFORM_MAX_CHARS,
    SHORT_TEXT_MAX_CHARS,
    AgeGroup,
    Category,
    Channel,
    ConsentGiver,
    ConsentRecord,
    ConsentScope,
    EvidenceBlob,
    EvidenceFile,
    PublicStatus,
    Report,
    ReporterRelation,
    ReportURL,
    access_key_digest,
)

# No 0/O, 1/I/L: codes are read out over the phone and copied by children.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_PREFIX = "BC-"  # "báo cáo"
TRACKING_CHARS = 8  # 31**8, about 8.5e11 codes
ACCESS_KEY_GROUPS = 4  # four groups of four: 31**16, about 79 bits
IDEMPOTENCY_KEY_MAX_CHARS = 128
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{8,20}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TEXT_FIELDS = {
    "platform": PLATFORM_MAX_CHARS,
    "description": DESCRIPTION_MAX_CHARS,
    "child_name": SHORT_TEXT_MAX_CHARS,
    "child_school": SHORT_TEXT_MAX_CHARS,
    "reporter_name": SHORT_TEXT_MAX_CHARS,
    "reporter_contact": SHORT_TEXT_MAX_CHARS,
}
FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        "category",
        "urls",
        "occurred_on",
        "child_age_group",
        "child_in_danger",
        "reporter_relation",
        "consent_given",
        "consent_text_version",
        "territory",
        "reporter_wants_updates",
        "parent_consent_given",
        "child_consent_given",
    }
)
# Personal data on a report that staff may reveal on the case page, one field at a time.
REVEALABLE_FIELDS = ("child_name", "child_school", "reporter_name", "reporter_contact")
REVEAL_REASON_MIN_CHARS = 10
REVEAL_REASON_MAX_CHARS = 500
# The doors where a person agrees to the consent text before the report is stored. API
# clients (platforms, partner hotlines) record consent on their side and may pass it on.
CONSENT_REQUIRED = frozenset({Channel.WEB, Channel.HOTLINE})


class ReportError(Exception):
    """A submission the rules refuse; ``errors`` maps field names to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        # Only the field names: the messages may quote what the reporter wrote.
        super().__init__("refused: " + ", ".join(self.errors))

    @classmethod
    def on(cls, field: str, message: str) -> ReportError:
        return cls({field: [message]})


class Upload(Protocol):
    """What ``report_submit`` needs of a file: Django's ``UploadedFile`` fits."""

    name: str | None
    size: int | None

    def seek(self, offset: int) -> Any: ...
    def read(self, size: int = -1) -> bytes: ...


def report_submit(
    *,
    channel: str,
    data: Mapping[str, Any],
    files: Sequence[Upload] = (),
    actor: Any = None,
    idempotency_scope: str = "",
    idempotency_key: str = "",
) -> tuple[Report, str]:
    """Store a report from ``channel``; answer the report and its access key.

    ``data`` holds the fields named in ``FIELDS`` (missing ones take their defaults);
    anything the rules refuse raises ``ReportError`` and stores nothing.

    Idempotency: a submission with an ``idempotency_key`` is stored once per
    (``idempotency_scope``, ``idempotency_key``). A repeat with the same content
    returns the first report and the same access key (kept encrypted for this
    purpose), so a client that lost the first answer still learns its key; a repeat
    with different content raises ``ReportError`` on ``idempotency_key``. A repeat, like
    the loser of two simultaneous submissions, meets the first at the unique constraint
    and answers the first report.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    unknown = set(data) - FIELDS
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    if idempotency_key and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise ReportError.on(
            "idempotency_key",
            _("The idempotency key must be 1 to 128 visible ASCII characters."),
        )
    fields, urls, evidence = _clean(channel, data, files)
    consents = _consents(channel, fields, data)
    fingerprint = _fingerprint(channel, fields, urls, evidence) if idempotency_key else ""
    user = actor if getattr(actor, "is_authenticated", False) else None
    # No look-up of the idempotency key first: a repeat is rare, and the unique
    # constraint catches it (and the race of two simultaneous ones) below.
    # Encrypt before the transaction, so the transaction stays short.
    blobs = [encrypt_bytes(item.content) for item, _name in evidence]
    attempts = 3
    for attempt in range(attempts):
        access_key = _new_access_key()
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    tracking_code=_new_tracking_code(),
                    access_key_digest=access_key_digest(canonical_access_key(access_key)),
                    channel=channel,
                    received_by=user,
                    idempotency_scope=idempotency_scope if idempotency_key else "",
                    idempotency_key=idempotency_key,
                    idempotency_fingerprint=fingerprint,
                    replay_access_key=access_key if idempotency_key else "",
                    **fields,
                )
                ReportURL.objects.bulk_create(
                    ReportURL(report=report, raw=raw, normalised=normal, host=host, host_is_ip=ip)
                    for raw, normal, host, ip in urls
                )
                for (item, name), blob in zip(evidence, blobs, strict=True):
                    stored = EvidenceFile.objects.create(
                        report=report,
                        sha256=item.sha256,
                        size=item.size,
                        content_type=item.content_type,
                        original_name=name,
                    )
                    EvidenceBlob.objects.create(file=stored, ciphertext=blob)
                ConsentRecord.objects.bulk_create(
                    ConsentRecord(
                        report=report,
                        given_by=giver,
                        scope=scope,
                        text_version=report.consent_text_version,
                        given_at=report.received_at,
                        recorded_by=user if channel == Channel.HOTLINE else None,
                    )
                    for giver, scope in consents
                )
                # No personal data and no report text in the audit trail. Linked into
                # the chain after the commit, so that submissions do not queue for the
                # chain's lock (see childsafe.audit.services).
                audit_record(
                    "report.submit",
                    link_later=True,
                    actor=user,
                    obj=report,
                    detail={
                        "channel": channel,
                        "category": report.category,
                        "urls": len(urls),
                        "files": len(evidence),
                        "child_in_danger": report.child_in_danger,
                        "idempotent": bool(idempotency_key),
                    },
                )
        except IntegrityError:
            if idempotency_key:
                replay = _replay(idempotency_scope, idempotency_key, fingerprint)
                if replay is not None:
                    return replay
            if attempt == attempts - 1:
                raise
            continue  # a tracking code collided: draw another one
        return report, access_key
    raise AssertionError("unreachable")  # pragma: no cover


def report_public_status(code: str, key: str) -> dict[str, Any] | None:
    """What the reporter may see, given the tracking code and access key; else ``None``.

    A wrong key and an unknown code answer the same, and take the same time.
    """
    tracking_code = canonical_tracking_code(code)
    digest = access_key_digest(canonical_access_key(key))
    report = (
        Report.objects.filter(tracking_code=tracking_code)
        .only("tracking_code", "access_key_digest", "public_status", "received_at")
        .first()
        if tracking_code
        else None
    )
    expected = report.access_key_digest if report is not None else "0" * 64
    if not hmac.compare_digest(expected, digest) or report is None:
        return None
    return {
        "tracking_code": report.tracking_code,
        "status": report.public_status,
        "status_label": str(PublicStatus(report.public_status).label),
        "received_on": timezone.localdate(report.received_at),
    }


def report_set_public_status(report: Report, status: str, *, actor: Any) -> Report:
    """Change what the reporter sees. Any listed status may follow any other (a case can
    be reopened); setting the current status again changes and records nothing."""
    if status not in PublicStatus.values:
        raise ReportError.on("public_status", _("Unknown public status."))
    if report.public_status == status:
        return report
    with transaction.atomic():
        previous = report.public_status
        report.public_status = status
        report.save(update_fields=["public_status"])
        audit_record(
            "report.public_status",
            actor=actor,
            obj=report,
            detail={"from": previous, "to": status},
        )
        address = feedback_address(report)
        if address:
            transaction.on_commit(lambda: _send_status_mail(address, report.tracking_code, status))
    return report


def feedback_address(report: Report) -> str:
    """The e-mail address to tell about status changes, or ``""``: only when the reporter
    left an e-mail address, asked for updates, and nobody withdrew consent to processing
    or to contact."""
    contact = report.reporter_contact
    if not (report.reporter_wants_updates and contact and "@" in contact):
        return ""
    withdrawn = ConsentRecord.objects.filter(
        report=report,
        scope__in=[ConsentScope.PROCESS, ConsentScope.CONTACT],
        withdrawn_at__isnull=False,
    )
    return "" if withdrawn.exists() else contact


def _send_status_mail(address: str, tracking_code: str, status: str) -> None:
    """The tracking code and the new public status, in Vietnamese: nothing of the case."""
    with translation.override("vi"):
        label = str(PublicStatus(status).label)
        subject = _("Your report %(code)s: %(status)s") % {"code": tracking_code, "status": label}
        body = _(
            "Hello,\n\nThe status of your report %(code)s is now: %(status)s.\n\n"
            "You can check it at any time on the reporting page with your tracking code "
            "and secret key.\nIf a child is in danger, call 111 (free, day and night) "
            "or 113 (police).\n\nThis message was sent automatically; do not reply."
        ) % {"code": tracking_code, "status": label}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def report_reveal(
    report: Report, *, fields: Sequence[str], reason: str, actor: Any, request: Any = None
) -> dict[str, str]:
    """The personal data ``fields`` of ``report``, for a staff member who gave a reason.

    The audit event ``report.reveal`` names the fields and keeps the reason (staff text,
    which must not quote the child's data); the values are never written anywhere.
    """
    reason = _CONTROL.sub("", reason).strip()
    if len(reason) < REVEAL_REASON_MIN_CHARS:
        raise ReportError.on(
            "reason",
            _("Give a reason of at least %(count)d characters.")
            % {"count": REVEAL_REASON_MIN_CHARS},
        )
    if len(reason) > REVEAL_REASON_MAX_CHARS:
        raise ReportError.on(
            "reason",
            _("Write at most %(count)d characters.") % {"count": REVEAL_REASON_MAX_CHARS},
        )
    chosen = [f for f in REVEALABLE_FIELDS if f in set(fields)]
    if not chosen or set(fields) - set(REVEALABLE_FIELDS):
        raise ReportError.on("fields", _("Choose what to show."))
    with transaction.atomic():
        audit_record(
            "report.reveal",
            actor=actor,
            obj=report,
            request=request,
            detail={"fields": chosen, "reason": reason},
        )
    return {name: getattr(report, name) for name in chosen}


class ConsentError(Exception):
    """A change to a consent the rules refuse."""


def consent_withdraw(consent: ConsentRecord, *, actor: Any) -> ConsentRecord:
    """Record that a consent was withdrawn (the person told the staff member).

    Withdrawing consent to processing stops processing: the case shows the report as
    withdrawn, and its reporter gets no more e-mails (as after withdrawing consent to
    contact). The row stays, with who recorded the withdrawal and when.
    """
    with transaction.atomic():
        changed = ConsentRecord.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor
        )
        if changed != 1:
            raise ConsentError(_("This consent was already withdrawn."))
        consent.refresh_from_db()
        audit_record(
            "report.consent_withdraw",
            actor=actor,
            obj=consent.report,
            detail={"consent": consent.pk, "given_by": consent.given_by, "scope": consent.scope},
        )
    return consent


def canonical_tracking_code(code: str) -> str:
    """``bc 7k3m 9qx2``, ``BC7K3M9QX2`` and ``7K3M9QX2`` all mean ``BC-7K3M9QX2``."""
    compact = re.sub(r"[^A-Z0-9]", "", code.upper())
    prefix = TRACKING_PREFIX.rstrip("-")
    if compact.startswith(prefix) and len(compact) == len(prefix) + TRACKING_CHARS:
        compact = compact[len(prefix) :]
    if len(compact) == TRACKING_CHARS:
        return TRACKING_PREFIX + compact
    return ""


def canonical_access_key(key: str) -> str:
    """The key without dashes or spaces, upper-case: what its digest is taken of."""
    return re.sub(r"[^A-Z0-9]", "", key.upper())


def _new_tracking_code() -> str:
    return TRACKING_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(TRACKING_CHARS))


def _new_access_key() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def _replay(scope: str, key: str, fingerprint: str) -> tuple[Report, str] | None:
    report = Report.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if report is None:
        return None
    if not hmac.compare_digest(report.idempotency_fingerprint, fingerprint):
        raise ReportError.on(
            "idempotency_key",
            _("This idempotency key was already used for a different report."),
        )
    return report, report.replay_access_key


def _fingerprint(
    channel: str,
    fields: dict[str, Any],
    urls: list[tuple[str, str, str, bool]],
    evidence: list[tuple[Evidence, str]],
) -> str:
    body = {
        "channel": channel,
        "fields": {
            k: (v.pk if isinstance(v, AdminUnit) else v) for k, v in sorted(fields.items())
        },
        "urls": [normal for _raw, normal, _host, _ip in urls],
        "files": [item.sha256 for item, _name in evidence],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _consents(
    channel: str, fields: dict[str, Any], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The consent records a submission makes: the reporter's tick on the page covers
    processing, sharing with the agencies and, if a contact was left, being contacted
    (the consent text says so); on the hotline, the operator also records the parent's
    and the child's (aged 7 or more) consent to processing and sharing."""
    found: list[tuple[str, str]] = []
    if fields["consent_given"]:
        found += [
            (ConsentGiver.REPORTER, ConsentScope.PROCESS),
            (ConsentGiver.REPORTER, ConsentScope.SHARE),
        ]
        if fields["reporter_contact"]:
            found.append((ConsentGiver.REPORTER, ConsentScope.CONTACT))
    if channel == Channel.HOTLINE:
        for key, giver in (
            ("parent_consent_given", ConsentGiver.PARENT),
            ("child_consent_given", ConsentGiver.CHILD),
        ):
            if data.get(key):
                found += [(giver, ConsentScope.PROCESS), (giver, ConsentScope.SHARE)]
    return found


def _clean(
    channel: str, data: Mapping[str, Any], files: Sequence[Upload]
) -> tuple[dict[str, Any], list[tuple[str, str, str, bool]], list[tuple[Evidence, str]]]:
    """Check every field and file; collect every problem, then raise them together."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    fields: dict[str, Any] = {}
    category = str(data.get("category") or "")
    if not category:
        refuse("category", _("Choose what happened."))
    elif category not in Category.values:
        refuse("category", _("Choose one of the kinds of harm in the list."))
    fields["category"] = category

    for name, limit in TEXT_FIELDS.items():
        value = _CONTROL.sub("", str(data.get(name) or "")).strip()
        if len(value) > limit:
            refuse(name, _("Write at most %(count)d characters.") % {"count": limit})
        fields[name] = value
    contact = fields["reporter_contact"]
    if contact and not _is_phone_or_email(contact):
        refuse("reporter_contact", _("Enter a phone number or an e-mail address."))

    occurred_on = data.get("occurred_on")
    if occurred_on is not None and not isinstance(occurred_on, dt.date):
        refuse("occurred_on", _("Enter a date."))
    elif occurred_on is not None and occurred_on > timezone.localdate() + dt.timedelta(days=1):
        refuse("occurred_on", _("The date cannot be in the future."))
    fields["occurred_on"] = occurred_on

    age_group = str(data.get("child_age_group") or AgeGroup.UNKNOWN)
    if age_group not in AgeGroup.values:
        refuse("child_age_group", _("Choose an age group from the list."))
    fields["child_age_group"] = age_group
    relation = str(data.get("reporter_relation") or "")
    if relation and relation not in ReporterRelation.values:
        refuse("reporter_relation", _("Choose who you are from the list."))
    fields["reporter_relation"] = relation
    fields["child_in_danger"] = bool(data.get("child_in_danger"))

    consent_given = bool(data.get("consent_given"))
    version = str(data.get("consent_text_version") or (CURRENT if consent_given else ""))
    if channel in CONSENT_REQUIRED and not consent_given:
        refuse("consent_given", _("Tick the box to agree, so that we can handle your report."))
    if version and version not in CONSENT_TEXTS:
        refuse("consent_text_version", _("Unknown version of the consent text."))
    fields["consent_given"] = consent_given
    fields["consent_text_version"] = version

    territory = data.get("territory")
    if territory is not None and not isinstance(territory, AdminUnit):
        raise TypeError("territory must be an AdminUnit or None")
    fields["territory"] = territory

    fields["is_anonymous"] = not (fields["reporter_name"] or contact)
    # Updates go only to a reporter who left a contact and asked for them (API clients
    # that send no choice keep the former rule: a contact means "tell me").
    wants = data.get("reporter_wants_updates")
    fields["reporter_wants_updates"] = bool(contact) and (wants is None or bool(wants))

    urls = _clean_urls(data.get("urls") or [], refuse)
    evidence = _clean_files(files, refuse)
    if not (urls or "urls" in errors or fields["description"] or files):
        refuse(
            "description",
            _("Tell us what happened, or give a web address or a file, so that we can act."),
        )
    if errors:
        raise ReportError(errors)
    return fields, urls, evidence


def _clean_urls(raw_urls: Any, refuse: Any) -> list[tuple[str, str, str, bool]]:
    if isinstance(raw_urls, str) or not isinstance(raw_urls, Sequence):
        raise TypeError("urls must be a list of strings")
    lines = [str(u).strip() for u in raw_urls if str(u).strip()]
    if len(lines) > MAX_URLS_PER_REPORT:
        refuse("urls", _("Give at most %(count)d web addresses.") % {"count": MAX_URLS_PER_REPORT})
        return []
    urls = []
    seen = set()
    for raw in lines:
        try:
            normalised = normalise_url(raw)
        except InvalidURL:
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            refuse(
                "urls",
                _("“%(url)s” is not a web address. Copy it from the browser's address bar.")
                % {"url": _CONTROL.sub("", shown)},
            )
            continue
        if normalised in seen:
            continue
        seen.add(normalised)
        host = url_host(normalised)
        urls.append((raw, normalised, host, host_is_ip(host)))
    return urls


def _clean_files(files: Sequence[Upload], refuse: Any) -> list[tuple[Evidence, str]]:
    try:
        check_evidence_count(len(files))
    except EvidenceError as exc:
        refuse("files", exc.message)
        return []
    evidence = []
    for upload in files:
        name = _CONTROL.sub("", (upload.name or "").rsplit("/", 1)[-1])[:SHORT_TEXT_MAX_CHARS]
        try:
            check_evidence_size(upload.size or 0)
            upload.seek(0)
            evidence.append((check_evidence(upload.read()), name))
        except EvidenceError as exc:
            refuse("files", _("%(name)s: %(problem)s") % {"name": name, "problem": exc.message})
    return evidence


def _is_phone_or_email(value: str) -> bool:
    if _PHONE.match(value) and sum(c.isdigit() for c in value) >= 8:
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
