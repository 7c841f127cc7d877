from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

from childsafe.orgs.access import is_fully_logged_in
from childsafe.orgs.roles import ROLE_PERMS


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    full = bool(user is not None and is_fully_logged_in(user))
    return {
        "CHILDSAFE_DEMO": settings.CHILDSAFE_DEMO,
        "is_staff_session": full,
        # The current page in the default language, for the language switcher.
        "default_language_path": translate_url(request.get_full_path(), settings.LANGUAGE_CODE),
        # Only to show or hide menu entries; every view checks its own permission.
        "my_perms": ROLE_PERMS.get(user.role, frozenset()) if full else frozenset(),
    }
