"""``childsafe audit verify``: check the audit trail's hash chain.
``childsafe audit link``: link the events written unlinked (report submissions) now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_link_pending, audit_unlinked_count, audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' checks that no entry was changed or deleted; "
        "'link' links the entries written unlinked into the chain."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "link"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "link":
            linked = 0
            while done := audit_link_pending():
                linked += done
            self.stdout.write(f"linked {linked} entries")
            return
        problems = audit_verify()
        total = AuditEvent.objects.filter(seq__isnull=False).count()
        if problems:
            for p in problems:
                self.stderr.write(
                    f"entry {p.seq}: {p.kind}: {p.message}"
                    if p.seq is not None
                    else f"{p.kind}: {p.message}"
                )
            where = ", ".join(
                f"entry {p.seq} {p.kind}" if p.seq is not None else p.kind for p in problems[:10]
            )
            raise CommandError(
                f"audit trail is NOT intact: {len(problems)} problem(s) in {total} entries "
                f"({where}{', ...' if len(problems) > 10 else ''})"
            )
        unlinked = audit_unlinked_count()
        self.stdout.write(
            f"audit trail intact: {total} entries"
            + (f"; {unlinked} recent entries not linked yet, not checked" if unlinked else "")
        )
