"""Targets and deadlines: reading what an officer typed, and the default time limit."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.cases.models import ClockRule
from childsafe.lib.domains import InvalidDomain, normalise_domain
from childsafe.lib.urls import InvalidURL, host_is_ip, normalise_url
from childsafe.takedown.models import (
    OrderAction,
    TargetKind,
)
from childsafe.takedown.services.common import (
    DEFAULT_DEADLINE_HOURS,
    MAX_DEADLINE_HOURS,
    MAX_TARGETS,
    MIN_DEADLINE_HOURS,
    OrderError,
    _refuse,
)

log = logging.getLogger(__name__)

# --- Targets and deadlines -------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str
    value: str
    host: str


def _looks_like_url(text: str) -> bool:
    return "://" in text or "/" in text


def parse_target(raw: str, *, action: str) -> Target:
    """One line an officer typed as a target: a URL (it has a scheme or a ``/``) or a
    domain. Raises ``OrderError`` naming the line's problem."""
    text = raw.strip()
    if _looks_like_url(text):
        try:
            url = normalise_url(text)
        except InvalidURL:
            raise OrderError(
                _("“%(text)s” is not a valid web address.") % {"text": text}, field="targets"
            ) from None
        host = urlsplit(url).hostname or ""
        if host_is_ip(host):
            raise OrderError(
                _(
                    "“%(text)s” names its server by IP address: an order names the site by "
                    "its domain name."
                )
                % {"text": text},
                field="targets",
            )
        return Target(TargetKind.URL, url, host)
    if action == OrderAction.REMOVE:
        raise OrderError(
            _(
                "“%(text)s” is not a web address: a removal order names the pages to remove "
                "(https://...). To block a whole domain, choose blocking."
            )
            % {"text": text},
            field="targets",
        )
    try:
        domain = normalise_domain(text)
    except InvalidDomain as exc:
        raise OrderError(
            _("“%(text)s” cannot be blocked: %(reason)s") % {"text": text, "reason": exc},
            field="targets",
        ) from None
    return Target(TargetKind.DOMAIN, domain, domain)


def parse_targets(lines: Iterable[str], *, action: str, actor: Any = None) -> list[Target]:
    """Every non-empty line as a target; duplicates (after normalisation) refused."""
    texts = [line.strip() for line in lines if line.strip()]
    if not texts:
        raise _refuse(
            "targets-empty", _("Give at least one target."), field="targets", actor=actor
        )
    if len(texts) > MAX_TARGETS:
        raise _refuse(
            "targets-many",
            _("An order may name at most %(n)d targets.") % {"n": MAX_TARGETS},
            field="targets",
            actor=actor,
        )
    targets: list[Target] = []
    for text in texts:
        try:
            targets.append(parse_target(text, action=action))
        except OrderError as exc:
            raise _refuse("target-invalid", exc.message, field="targets", actor=actor) from None
    seen: set[tuple[str, str]] = set()
    repeated: list[str] = []
    for target in targets:
        key = (target.kind, target.value)
        if key in seen and target.value not in repeated:
            repeated.append(target.value)
        seen.add(key)
    if repeated:
        raise _refuse(
            "targets-duplicate",
            _("These targets are given more than once: %(targets)s")
            % {"targets": ", ".join(repeated)},
            field="targets",
            actor=actor,
        )
    return targets


def default_deadline_hours(action: str, *, now: dt.datetime | None = None) -> int:
    """Hours from the rule in force: ``takedown-<action>`` if there is one, else
    ``takedown`` (24 hours under Decree 147/2024); 24 if neither is in force."""
    now = now or timezone.now()
    rules = ClockRule.objects.in_force_on(timezone.localdate(now)).order_by("-effective_from")
    rule = rules.filter(code=f"takedown-{action}").first() or rules.filter(code="takedown").first()
    if rule is None:
        return DEFAULT_DEADLINE_HOURS
    hours = math.ceil((rule.due_from(now) - now).total_seconds() / 3600)
    return max(MIN_DEADLINE_HOURS, min(hours, MAX_DEADLINE_HOURS))


def default_legal_basis(*, now: dt.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    rule = (
        ClockRule.objects.in_force_on(day)
        .filter(code="takedown")
        .order_by("-effective_from")
        .first()
    )
    return rule.legal_basis if rule else ""
