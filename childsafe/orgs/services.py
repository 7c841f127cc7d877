"""Organisation tree queries, function resolution, succession, tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from childsafe.audit.services import audit_record
from childsafe.orgs.models import (
    AdminUnit,
    ApiToken,
    FunctionAssignment,
    Organisation,
    OrgSuccession,
    SuccessionKind,
    User,
)


class OrgError(Exception):
    """An organisation change that the rules do not allow."""


def org_descendant_ids(root_ids: set[int] | list[int]) -> set[int]:
    """The given organisations and every organisation below them, at any date."""
    seen: set[int] = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        children = set(
            Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - seen
        seen |= frontier
    return seen


def org_successors_on(org: Organisation, day: dt.date) -> list[Organisation]:
    """The organisations that carry ``org``'s duties on ``day``.

    Follows succession links (merges, splits, renames) until reaching units
    active on that day; an organisation active on ``day`` is its own answer.
    """
    result: list[Organisation] = []
    seen: set[int] = set()
    stack = [org]
    while stack:
        current = stack.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        if current.is_active_on(day):
            result.append(current)
            continue
        nexts = [
            s.successor
            for s in OrgSuccession.objects.filter(
                predecessor=current, effective_on__lte=day
            ).select_related("successor")
        ]
        stack.extend(nexts)
    return sorted(result, key=lambda o: o.name)


def org_rollup_map(day: dt.date) -> dict[int, list[int]]:
    """For every organisation, the ids its records roll up to on ``day``."""
    return {
        org.pk: [s.pk for s in org_successors_on(org, day)] for org in Organisation.objects.all()
    }


def _unit_chain(unit: AdminUnit | None, day: dt.date) -> list[int | None]:
    """The unit, its successors if it had ended by ``day``, then its ancestors."""
    chain: list[int | None] = []
    seen: set[int] = set()
    while unit is not None and unit.pk not in seen:
        seen.add(unit.pk)
        if unit.valid_to and day > unit.valid_to and unit.successor_id:
            chain.append(unit.pk)
            unit = unit.successor
            continue
        chain.append(unit.pk)
        unit = unit.parent
    chain.append(None)  # province-wide assignments come last
    return chain


def function_resolve(
    function: str, *, on: dt.date | None = None, territory: AdminUnit | None = None
) -> Organisation | None:
    """The organisation holding ``function`` on ``on`` for ``territory``.

    The most specific territory wins: an assignment for the commune beats one
    for its district, which beats a province-wide one. Among equals, the most
    recent assignment wins. A unit that had ended by ``on`` (a pre-2025
    commune) is looked up through its successor unit.
    """
    day = on or timezone.localdate()
    candidates = list(
        FunctionAssignment.objects.filter(function=function, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("organisation")
        .order_by("-effective_from", "-id")
    )
    for unit_id in _unit_chain(territory, day):
        for assignment in candidates:
            if assignment.territory_id == unit_id and assignment.organisation.is_active_on(day):
                return assignment.organisation
    return None


def org_succeed(
    predecessors: list[Organisation],
    successors: list[Organisation],
    *,
    on: dt.date,
    kind: str,
    legal_basis: str = "",
    actor: Any,
) -> list[OrgSuccession]:
    """Record a merge, split or renaming: predecessors end the day before ``on``."""
    if not predecessors or not successors:
        raise OrgError("a succession needs at least one predecessor and one successor")
    if kind == SuccessionKind.MERGE and len(successors) != 1:
        raise OrgError("a merge has exactly one successor")
    if kind == SuccessionKind.SPLIT and len(predecessors) != 1:
        raise OrgError("a split has exactly one predecessor")
    if {o.pk for o in predecessors} & {o.pk for o in successors}:
        raise OrgError("an organisation cannot succeed itself")
    rows = []
    with transaction.atomic():
        for old in predecessors:
            old.effective_to = on - dt.timedelta(days=1)
            old.save(update_fields=["effective_to"])
            for new in successors:
                rows.append(
                    OrgSuccession.objects.create(
                        predecessor=old,
                        successor=new,
                        kind=kind,
                        effective_on=on,
                        legal_basis=legal_basis,
                    )
                )
        audit_record(
            "org.succession",
            actor=actor,
            object_type="orgs.organisation",
            object_id=",".join(str(o.pk) for o in predecessors),
            detail={
                "kind": kind,
                "on": on.isoformat(),
                "successors": [o.pk for o in successors],
            },
        )
    return rows


def api_token_create(
    user: User, *, name: str, actor: Any, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its digest is kept."""
    raw = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[3:11],
            digest=ApiToken.digest_of(raw),
            expires_at=expires_at,
        )
        audit_record("api_token.create", actor=actor, obj=token)
    return token, raw


def api_token_revoke(token: ApiToken, *, actor: Any) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record("api_token.revoke", actor=actor, obj=token)


def api_token_authenticate(raw: str) -> User | None:
    token = ApiToken.objects.filter(digest=ApiToken.digest_of(raw)).select_related("user").first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_create(
    *,
    username: str,
    role: str,
    organisation: Organisation | None,
    full_name: str = "",
    email: str = "",
    password: str | None,
    actor: Any,
) -> User:
    """Create a staff or provider account; ``password=None`` leaves it unusable."""
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            organisation=organisation,
            full_name=full_name,
            email=email,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record("user.create", actor=actor, obj=user, detail={"role": role})
    return user


def user_set_active(user: User, *, is_active: bool, actor: Any) -> None:
    if user.pk == getattr(actor, "pk", None) and not is_active:
        raise OrgError("you cannot deactivate your own account")
    with transaction.atomic():
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record("user.activate" if is_active else "user.deactivate", actor=actor, obj=user)


def user_reset_two_factor(user: User, *, actor: Any) -> int:
    """Remove the user's TOTP devices; they enrol again at their next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record("user.reset_2fa", actor=actor, obj=user, detail={"devices": removed})
    return removed
