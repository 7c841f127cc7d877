"""``childsafe audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks that no entry was changed or deleted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        problems = audit_verify()
        total = AuditEvent.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"entry {p.seq}: {p.kind}: {p.message}")
            where = ", ".join(f"entry {p.seq} {p.kind}" for p in problems[:10])
            raise CommandError(
                f"audit trail is NOT intact: {len(problems)} problem(s) in {total} entries "
                f"({where}{', ...' if len(problems) > 10 else ''})"
            )
        self.stdout.write(f"audit trail intact: {total} entries")
