"""``childsafe rotate-key``: re-encrypt every encrypted field under the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from childsafe.audit.services import audit_record
from childsafe.lib.crypto import generate_key, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data and evidence under the first key in CHILDSAFE_DATA_KEY. "
        "Rotation: prepend a new key (--generate prints one), run this, then remove the old key."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new key and exit")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, generate: bool, batch: int, **options: Any) -> None:
        if generate:
            self.stdout.write(generate_key())
            return
        total = rotate_all(batch=batch)
        with transaction.atomic():
            audit_record("crypto.rotate_key", actor="rotate-key", detail={"rows": total})
        self.stdout.write(f"re-encrypted {total} rows under the primary key")
