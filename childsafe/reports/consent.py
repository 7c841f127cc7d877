"""The consent text a reporter agrees to, versioned.

A report records the version its reporter saw (``Report.consent_text_version``). To
change the wording, add a new version and point ``CURRENT`` at it; never edit a text
that reports already refer to.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONSENT_TEXTS: dict[str, Promise] = {
    "2025-1": _(
        "I agree that the agencies of the programme (police, the information and "
        "communications department, social workers, the education department) receive this "
        "report, look at the files and contact me if I left a phone number or e-mail. They "
        "keep what I wrote secret and use it only to protect children."
    ),
}
CURRENT = "2025-1"


def consent_text(version: str = CURRENT) -> Promise:
    return CONSENT_TEXTS[version]
