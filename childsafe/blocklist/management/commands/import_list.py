"""``childsafe import-list``: import a category list file as the new active version.

    childsafe import-list --category adult --name "UT1 adult" \\
        --source https://dsi.ut-capitole.fr/blacklists/ --licence "CC BY-SA 4.0" adult.txt

The format (hosts, plain, adblock, rpz) is detected unless ``--format`` names it. A file
in no known format, or with no valid domain, is refused and nothing changes;
``--rollback`` makes the list's previous version active again instead. The logic is in
``childsafe.blocklist.policy.services``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from childsafe.blocklist.models import CategoryList, FilterCategory
from childsafe.blocklist.policy.importers import FORMATS, ImportFormatError, decode_upload
from childsafe.blocklist.policy.services import PolicyError, list_import, list_rollback

ACTOR = "system:import-list"


class Command(BaseCommand):
    help = "Import a category list file (hosts, plain, adblock or RPZ) for school filtering."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="the list file ('-' reads standard input)")
        parser.add_argument("--category", choices=FilterCategory.values)
        parser.add_argument("--name", required=True, help="the list's name")
        parser.add_argument("--source", default="", help="where the list comes from")
        parser.add_argument("--licence", default="", help="the list's licence")
        parser.add_argument("--format", choices=FORMATS, help="default: detected")
        parser.add_argument(
            "--rollback", action="store_true", help="make the previous version active again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rollback"]:
            self._rollback(options["name"])
            return
        if not options["file"] or not options["category"]:
            raise CommandError("give --category and a FILE (or --rollback)")
        path = options["file"]
        try:
            data = (
                self.stdin.buffer.read()  # type: ignore[attr-defined]
                if path == "-"
                else Path(path).read_bytes()
            )
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            version = list_import(
                actor=ACTOR,
                category=options["category"],
                name=options["name"],
                source=options["source"],
                licence=options["licence"],
                text=decode_upload(data),
                file_format=options["format"],
            )
        except ImportFormatError as exc:
            raise CommandError(f"{path}: {exc.message} Nothing was imported.") from None
        except PolicyError as exc:
            where = f"--{exc.field}: " if exc.field in ("name", "source", "licence") else ""
            raise CommandError(f"{path}: {where}{exc.message} Nothing was imported.") from None
        self.stdout.write(
            f"{options['name']}: {version.entry_count} domains ({version.file_format}), "
            f"{version.invalid_count} invalid lines, {version.skipped_count} skipped; "
            f"version {version.pk} is active"
        )

    def _rollback(self, name: str) -> None:
        try:
            category_list = CategoryList.objects.get(name=name)
        except CategoryList.DoesNotExist:
            raise CommandError(f"no list called {name!r}") from None
        try:
            version = list_rollback(category_list, actor=ACTOR)
        except PolicyError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{name}: version {version.pk} is active again")
