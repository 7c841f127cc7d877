"""``childsafe unbound-config``: print an Unbound configuration for one school.

    childsafe unbound-config --school 12 --feed-url https://childsafe.example --token cs_...
    childsafe unbound-config --school 12 --zonefiles /var/lib/unbound/childsafe

Each tier is an Unbound tag, each school network is tagged with its tier, and the
zones are the authority zone (every client, first) and one zone per tier
(``childsafe.blocklist.policy.rpz``). By default Unbound downloads the zones from the
feeds (``url:``, the token in the query string: give it a token of its own); with
``--zonefiles DIR`` the command writes the zone files there and the configuration loads
them (``zonefile:``): run it again from cron to follow changes and schedules, then
``unbound-control reload``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from childsafe.blocklist.models import Tier
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.blocklist.policy.rpz import TRUST_ANCHOR, tier_zone, unbound_config
from childsafe.blocklist.rpz import render_rpz
from childsafe.blocklist.zones import AUTHORITY_ZONE, rpz_mode, zone_snapshot
from childsafe.orgs.models import Organisation, OrgKind


def write_zonefiles(document: dict[str, Any], directory: Path, now: Any) -> dict[str, str]:
    """Write the authority zone and the tier zones into ``directory``: origin -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    origin = settings.CHILDSAFE_RPZ_ORIGIN
    snapshot = zone_snapshot(AUTHORITY_ZONE)
    texts = {
        origin: render_rpz(
            snapshot.domains, serial=max(snapshot.serial, 1), origin=origin, mode=rpz_mode()
        )
    }
    for tier in Tier.values:
        zone = tier_zone(document, tier, now=now)
        texts[zone.origin] = zone.text
    paths = {}
    for name, text in texts.items():
        path = directory / f"{name}.rpz"
        temporary = path.with_suffix(".rpz.tmp")
        temporary.write_text(text)
        temporary.replace(path)  # a reload never sees half a file
        paths[name] = str(path.resolve())
    return paths


class Command(BaseCommand):
    help = "Print an Unbound configuration applying a school's filtering policy per tier."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", type=int, required=True, help="the school's id")
        parser.add_argument(
            "--feed-url", default="", help="the ChildSafe server, e.g. https://childsafe.example"
        )
        parser.add_argument("--token", default="", help="a feed token (filter_policy.read)")
        parser.add_argument("--zonefiles", help="write the zones here and load them as files")
        parser.add_argument(
            "--interface", action="append", default=[], help="an address to listen on"
        )
        parser.add_argument("--port", type=int, default=53)
        parser.add_argument(
            "--client",
            action="append",
            default=[],
            metavar="CIDR",
            help="more clients allowed, outside the school's networks (default tier)",
        )
        parser.add_argument(
            "--trust-anchor",
            default=TRUST_ANCHOR,
            help=f"the root trust anchor file (default: {TRUST_ANCHOR}, Debian's)",
        )
        parser.add_argument(
            "--no-dnssec", action="store_true", help="no validation (a test upstream)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school = Organisation.objects.get(pk=options["school"], kind=OrgKind.SCHOOL)
        except Organisation.DoesNotExist:
            raise CommandError(f"no school with id {options['school']}") from None
        if not options["zonefiles"] and not options["feed_url"]:
            raise CommandError("give --feed-url (zones by URL) or --zonefiles DIR")
        now = timezone.now()
        document = policy_compile(school, now=now)
        zonefiles = None
        if options["zonefiles"]:
            zonefiles = write_zonefiles(document, Path(options["zonefiles"]), now)
        try:
            text = unbound_config(
                document,
                authority_origin=settings.CHILDSAFE_RPZ_ORIGIN,
                feed_url=options["feed_url"],
                token=options["token"],
                zonefiles=zonefiles,
                interfaces=options["interface"],
                port=options["port"],
                extra_clients=options["client"],
                trust_anchor=None if options["no_dnssec"] else options["trust_anchor"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(text, ending="")
