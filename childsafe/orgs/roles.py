"""Roles and what each may do: the one table the permission layer reads.

A permission is a short string checked by ``childsafe.orgs.access``. Scope says
which organisations' records a role sees: its own organisation and the units
below it, or the whole province.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    ICT_OFFICER = "ict_officer", _("ICT officer")
    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    EDUCATION_OFFICER = "education_officer", _("Education officer")
    SCHOOL_IT_ADMIN = "school_it_admin", _("School IT administrator")
    PROVIDER_CONTACT = "provider_contact", _("Service provider contact")
    PROVINCE_COORDINATOR = "province_coordinator", _("Province coordinator")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Perm(models.TextChoices):
    DASHBOARD_VIEW = "dashboard.view", _("See the dashboard")
    ORG_VIEW = "org.view", _("See organisations")
    ORG_MANAGE = "org.manage", _("Change organisations and function assignments")
    FOCAL_POINT_VIEW = "focal_point.view", _("See focal-point contacts")
    FOCAL_POINT_EXPORT = "focal_point.export", _("Export focal-point contacts")
    USER_VIEW = "user.view", _("See user accounts")
    USER_MANAGE = "user.manage", _("Create and change user accounts")
    AUDIT_VIEW = "audit.view", _("Browse the audit trail")
    API_TOKEN_MANAGE = "api_token.manage", _("Create own API tokens")


_STAFF = {Perm.DASHBOARD_VIEW, Perm.ORG_VIEW, Perm.API_TOKEN_MANAGE}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.HOTLINE_OPERATOR: frozenset(_STAFF),
    Role.ICT_OFFICER: frozenset(_STAFF | {Perm.FOCAL_POINT_VIEW}),
    Role.POLICE_INVESTIGATOR: frozenset(_STAFF),
    Role.SOCIAL_WORKER: frozenset(_STAFF),
    Role.EDUCATION_OFFICER: frozenset(_STAFF),
    Role.SCHOOL_IT_ADMIN: frozenset(_STAFF),
    Role.PROVIDER_CONTACT: frozenset({Perm.DASHBOARD_VIEW, Perm.API_TOKEN_MANAGE}),
    Role.PROVINCE_COORDINATOR: frozenset(
        _STAFF | {Perm.ORG_MANAGE, Perm.FOCAL_POINT_VIEW, Perm.FOCAL_POINT_EXPORT, Perm.USER_VIEW}
    ),
    Role.AUDITOR: frozenset(
        {
            Perm.DASHBOARD_VIEW,
            Perm.ORG_VIEW,
            Perm.AUDIT_VIEW,
            Perm.USER_VIEW,
            Perm.FOCAL_POINT_VIEW,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {
            Perm.DASHBOARD_VIEW,
            Perm.ORG_VIEW,
            Perm.ORG_MANAGE,
            Perm.USER_VIEW,
            Perm.USER_MANAGE,
            Perm.API_TOKEN_MANAGE,
        }
    ),
}

# Roles whose records are scoped to the whole province rather than their own subtree.
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_COORDINATOR, Role.AUDITOR, Role.SYSTEM_ADMIN})

# Every staff role that sees case data must use two-factor login; provider
# contacts only see orders addressed to their company.
TWO_FACTOR_ROLES = frozenset(set(Role) - {Role.PROVIDER_CONTACT})


def role_has_perm(role: str, perm: str) -> bool:
    return perm in ROLE_PERMS.get(role, frozenset())
