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
    CASE_VIEW = "case.view", _("See the cases of your organisation")
    CASE_TRIAGE = "case.triage", _("Triage, route and close cases")
    CASE_WORK = "case.work", _("Accept and work your agency's tasks on cases")
    ROUTING_MANAGE = "routing.manage", _("Change the routing rules")
    REPORT_HOTLINE_ENTRY = "report.hotline_entry", _("Record reports from hotline calls")
    REPORT_API_SUBMIT = "report.api_submit", _("Submit reports through the API")
    POI_VIEW = "poi.view", _("See persons of interest and their matches")
    POI_MANAGE = "poi.manage", _("Record persons of interest and their identifiers")
    CASE_LEGAL_HOLD = "case.legal_hold", _("Set or lift a legal hold on a case")
    EVIDENCE_VIEW = "evidence.view", _("Look at evidence files (blurred first)")
    ORDER_VIEW = "order.view", _("See takedown orders and their figures")
    ORDER_DRAFT = "order.draft", _("Draft takedown and blocking orders")
    ORDER_APPROVE = "order.approve", _("Approve (issue) or withdraw another officer's orders")
    PROVIDER_MANAGE = "provider.manage", _("Keep the register of service providers")
    PROVIDER_PORTAL = "provider.portal", _("Answer the orders addressed to your company")
    BLOCKLIST_VIEW = "blocklist.view", _("See the authority blocklist")
    BLOCKLIST_MANAGE = "blocklist.manage", _("Add entries to the authority blocklist by hand")
    FEED_READ = "feed.read", _("Download the blocklist feeds")
    FILTER_POLICY_VIEW = "filter_policy.view", _("See the school filtering policies")
    FILTER_POLICY_MANAGE = (
        "filter_policy.manage",
        _("Change the school filtering policies and decide schools' allow requests"),
    )
    FILTER_POLICY_READ = "filter_policy.read", _("Download compiled school filter policies")
    FILTER_SCHOOL_MANAGE = (
        "filter_school.manage",
        _("Manage your school's networks and lists, and ask for domains to be allowed"),
    )


_STAFF = {Perm.DASHBOARD_VIEW, Perm.ORG_VIEW, Perm.API_TOKEN_MANAGE}
# Agencies that receive cases: they see those of their organisation and work their tasks.
_AGENCY = _STAFF | {Perm.CASE_VIEW, Perm.CASE_WORK}

# Auditors and system administrators get no case permission: the audit trail shows what
# happened to a case (ids and actions, never its content), and need-to-know keeps the
# rest with the agencies. School IT admins and provider contacts never see cases.
ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.HOTLINE_OPERATOR: frozenset(
        _STAFF
        | {Perm.CASE_VIEW, Perm.CASE_TRIAGE, Perm.REPORT_HOTLINE_ENTRY, Perm.REPORT_API_SUBMIT}
    ),
    # Evidence files are opened only by those who must assess them: the police for the
    # investigation, the ICT department for takedown. Nobody else needs to see them.
    # The ICT department issues orders to providers and keeps the authority blocklist.
    Role.ICT_OFFICER: frozenset(
        _AGENCY
        | {
            Perm.FOCAL_POINT_VIEW,
            Perm.EVIDENCE_VIEW,
            Perm.ORDER_VIEW,
            Perm.ORDER_DRAFT,
            Perm.ORDER_APPROVE,
            Perm.PROVIDER_MANAGE,
            Perm.BLOCKLIST_VIEW,
            Perm.BLOCKLIST_MANAGE,
            Perm.FEED_READ,
            Perm.FILTER_POLICY_READ,
        }
    ),
    # Persons of interest are the police's alone (legal basis to be confirmed): no other
    # role sees them, their identifiers or their matches.
    Role.POLICE_INVESTIGATOR: frozenset(
        _AGENCY | {Perm.EVIDENCE_VIEW, Perm.POI_VIEW, Perm.POI_MANAGE, Perm.CASE_LEGAL_HOLD}
    ),
    Role.SOCIAL_WORKER: frozenset(_AGENCY),
    # The education department runs school filtering (docs/school-filter.md).
    Role.EDUCATION_OFFICER: frozenset(
        _AGENCY | {Perm.FILTER_POLICY_VIEW, Perm.FILTER_POLICY_MANAGE, Perm.FILTER_POLICY_READ}
    ),
    # Schools and providers enforce the authority list: they download its feeds. A
    # school's IT admin also keeps its filter's networks and lists, and fetches its policy.
    Role.SCHOOL_IT_ADMIN: frozenset(
        _STAFF | {Perm.FEED_READ, Perm.FILTER_SCHOOL_MANAGE, Perm.FILTER_POLICY_READ}
    ),
    Role.PROVIDER_CONTACT: frozenset(
        {
            Perm.DASHBOARD_VIEW,
            Perm.API_TOKEN_MANAGE,
            Perm.REPORT_API_SUBMIT,
            Perm.PROVIDER_PORTAL,
            Perm.FEED_READ,
        }
    ),
    Role.PROVINCE_COORDINATOR: frozenset(
        _STAFF
        | {
            Perm.ORG_MANAGE,
            Perm.FOCAL_POINT_VIEW,
            Perm.FOCAL_POINT_EXPORT,
            Perm.USER_VIEW,
            Perm.CASE_VIEW,
            Perm.CASE_TRIAGE,
            Perm.ROUTING_MANAGE,
            Perm.CASE_LEGAL_HOLD,
            Perm.ORDER_VIEW,
            Perm.BLOCKLIST_VIEW,
            Perm.FILTER_POLICY_VIEW,
        }
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
