from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from childsafe.orgs.access import is_fully_logged_in


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "CHILDSAFE_DEMO": settings.CHILDSAFE_DEMO,
        "HELPLINE": "111",
        "is_staff_session": bool(user is not None and is_fully_logged_in(user)),
    }
