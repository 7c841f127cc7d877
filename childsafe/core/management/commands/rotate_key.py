"""``childsafe rotate-key``: re-encrypt every encrypted field under the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from childsafe.audit.services import audit_record
from childsafe.lib.crypto import encrypted_fields, generate_key


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the first key in CHILDSAFE_DATA_KEY. "
        "Rotation: prepend a new key (--generate prints one), run this, then remove the old key."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new key and exit")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, generate: bool, batch: int, **options: Any) -> None:
        if generate:
            self.stdout.write(generate_key())
            return
        total = 0
        for model, names in encrypted_fields():
            last_pk: Any = None
            while True:
                with transaction.atomic():
                    qs = model._base_manager.order_by("pk")
                    if last_pk is not None:
                        qs = qs.filter(pk__gt=last_pk)
                    rows = list(qs.values_list("pk", *names)[:batch])
                    if not rows:
                        break
                    for pk, *values in rows:
                        updates = {}
                        for name, value in zip(names, values, strict=True):
                            if value:
                                # values_list decrypts; re-save encrypts with the primary key.
                                updates[name] = value
                        if updates:
                            model._base_manager.filter(pk=pk).update(**updates)
                            total += 1
                    last_pk = rows[-1][0]
        with transaction.atomic():
            audit_record("crypto.rotate_key", actor="rotate-key", detail={"rows": total})
        self.stdout.write(f"re-encrypted {total} rows under the primary key")
