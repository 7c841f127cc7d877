"""Who sees the authority list: the only way views and the API load its entries.

The list is province-wide and public in effect (resolvers enforce it): every role
holding ``blocklist.view`` or ``blocklist.manage`` sees every entry; only
``blocklist.manage`` changes it. For anyone else an entry does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from childsafe.blocklist.models import AuthorityEntry
from childsafe.orgs.roles import Perm, role_has_perm


def can_manage_blocklist(user: Any) -> bool:
    return role_has_perm(getattr(user, "role", ""), Perm.BLOCKLIST_MANAGE)


def entries_for_user(user: Any) -> QuerySet[AuthorityEntry]:
    role = getattr(user, "role", "")
    if not (role_has_perm(role, Perm.BLOCKLIST_VIEW) or can_manage_blocklist(user)):
        return AuthorityEntry.objects.none()
    return AuthorityEntry.objects.select_related("added_by", "lifted_by")


def get_entry_for_user(user: Any, entry_id: int) -> AuthorityEntry:
    try:
        return entries_for_user(user).get(pk=entry_id)
    except AuthorityEntry.DoesNotExist:
        raise Http404 from None
