"""The provider register: addressing an order from a host, and providers' scopes."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.lib.domains import InvalidDomain, normalise_domain, parent_domains
from childsafe.lib.urls import host_is_ip
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.takedown.models import (
    ProviderScope,
    ScopeKind,
)
from childsafe.takedown.services.common import MIN_PREFIX, _audit, _refuse

log = logging.getLogger(__name__)

# --- The provider register -------------------------------------------------------------


def _active_providers(day: dt.date) -> QuerySet[Organisation]:
    return Organisation.objects.active_on(day).filter(kind=OrgKind.SERVICE_PROVIDER)


def provider_for_host(host: str, *, on: dt.date | None = None) -> Organisation | None:
    """The provider answering for ``host``: the longest domain among the scopes that is
    the host or a parent of it; for an IP address, the narrowest network holding it."""
    day = on or timezone.localdate()
    host = host.strip().lower().rstrip(".")
    providers = _active_providers(day)
    if host_is_ip(host):
        address = ipaddress.ip_address(host)
        best: tuple[int, int] | None = None
        for scope in ProviderScope.objects.filter(
            kind=ScopeKind.NETWORK, provider__in=providers
        ).only("provider_id", "value"):
            network = ipaddress.ip_network(scope.value)
            inside = address.version == network.version and address in network
            if inside and (best is None or network.prefixlen > best[0]):
                best = (network.prefixlen, scope.provider_id)
        return Organisation.objects.get(pk=best[1]) if best else None
    candidates = [host, *parent_domains(host)]
    scopes = ProviderScope.objects.filter(
        kind=ScopeKind.DOMAIN, value__in=candidates, provider__in=providers
    ).select_related("provider")
    found = max(scopes, key=lambda s: len(s.value), default=None)
    return found.provider if found else None


def _scope_value(kind: str, raw: str, actor: Any) -> str:
    text = raw.strip()
    if kind == ScopeKind.DOMAIN:
        try:
            return normalise_domain(text)
        except InvalidDomain as exc:
            raise _refuse("scope-domain", str(exc), field="value", actor=actor) from None
    if kind != ScopeKind.NETWORK:
        raise _refuse("scope-kind", _("Choose a domain or a network."), field="kind", actor=actor)
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        raise _refuse(
            "scope-network",
            _("Give a network in CIDR form with no host bits set, such as 203.0.113.0/24."),
            field="value",
            actor=actor,
        ) from None
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise _refuse(
            "scope-wide",
            _("This network is too wide to be one provider's (at most /%(v4)d or /%(v6)d).")
            % {"v4": MIN_PREFIX[4], "v6": MIN_PREFIX[6]},
            field="value",
            actor=actor,
        )
    if not network.is_global:
        raise _refuse(
            "scope-private",
            _("This is a private or reserved network, not one on the internet."),
            field="value",
            actor=actor,
        )
    return network.compressed


def provider_scope_add(
    provider: Organisation, *, kind: str, value: str, note: str = "", actor: Any
) -> ProviderScope:
    """Record that ``provider`` answers for a domain (and every name below it) or a
    network. A domain or network already in the register, for any provider, is refused."""
    if provider.kind != OrgKind.SERVICE_PROVIDER:
        raise _refuse("scope-not-provider", _("This organisation is not a service provider."))
    canonical = _scope_value(kind, value, actor)
    with transaction.atomic():
        taken = (
            ProviderScope.objects.filter(kind=kind, value=canonical)
            .select_related("provider")
            .first()
        )
        if taken is not None:
            raise _refuse(
                "scope-duplicate",
                _("%(value)s is already in the register, for %(provider)s.")
                % {"value": canonical, "provider": taken.provider},
                field="value",
                actor=actor,
            )
        scope = ProviderScope.objects.create(
            provider=provider, kind=kind, value=canonical, note=note.strip()[:200]
        )
        _audit(
            "takedown.scope_add",
            actor=actor,
            obj=scope,
            provider_id=provider.pk,
            kind=kind,
            value=canonical,
        )
    return scope


def provider_scope_remove(scope: ProviderScope, *, actor: Any) -> None:
    with transaction.atomic():
        _audit(
            "takedown.scope_remove",
            actor=actor,
            obj=scope,
            provider_id=scope.provider_id,
            kind=scope.kind,
            value=scope.value,
        )
        scope.delete()
