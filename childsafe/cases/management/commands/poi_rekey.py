"""``childsafe poi-rekey``: recompute the match digests of offender identifiers.

The digest of an identifier is keyed with ``CHILDSAFE_MATCH_KEY`` (or a key derived from
``SECRET_KEY`` when it is empty). After either changes, stored digests no longer match
new reports; this command decrypts each stored (normalised) value and digests it again
under the current key. It works in batches, each in its own transaction, and rewrites
only the rows whose digest differs, so running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from childsafe.audit.services import audit_record
from childsafe.cases.models import OffenderIdentifier
from childsafe.cases.poi import match_digest


def poi_rekey(*, batch: int = 500) -> tuple[int, int]:
    """Digest every identifier again under the current match key; answer (seen, changed)."""
    seen = changed = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                OffenderIdentifier.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "kind", "value", "digest")[:batch]
            )
            if not rows:
                break
            stale = []
            for row in rows:
                digest = match_digest(row.kind, row.value)
                if digest != row.digest:
                    row.digest = digest
                    stale.append(row)
            OffenderIdentifier.objects.bulk_update(stale, ["digest"])
        seen += len(rows)
        changed += len(stale)
        last_pk = rows[-1].pk
    with transaction.atomic():
        # Counts only: no identifier, no person, no digest.
        audit_record("poi.rekey", actor="poi-rekey", detail={"rows": seen, "changed": changed})
    return seen, changed


class Command(BaseCommand):
    help = (
        "Recompute the match digests of persons of interest's identifiers under the current "
        "CHILDSAFE_MATCH_KEY (or SECRET_KEY when it is empty). Run it after changing either."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        seen, changed = poi_rekey(batch=batch)
        self.stdout.write(f"re-digested {changed} of {seen} identifiers under the current key")
