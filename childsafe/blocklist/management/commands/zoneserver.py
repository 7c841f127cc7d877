"""``childsafe zoneserver``: serve the authority RPZ to resolvers over DNS.

    childsafe zoneserver --listen 127.0.0.1:5353 --notify 10.0.0.53:53 \\
        --allow-transfer 10.0.0.0/24 --tsig-key xfr:hmac-sha256:BASE64SECRET

UDP and TCP on each ``--listen`` address; AXFR, IXFR from the journal, NOTIFY to each
``--notify`` secondary on every new serial, TSIG when keys are given. Options default
to the ``CHILDSAFE_ZONE_*`` settings (README's configuration table). SIGTERM or SIGINT
stops it cleanly. The logic is in ``childsafe.blocklist.zoneserver``.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from childsafe.blocklist.zoneserver.config import (
    LOOPBACK,
    ServerOptions,
    parse_address,
    parse_networks,
    parse_tsig_key,
    parse_tsig_keys,
)
from childsafe.blocklist.zoneserver.server import ZoneServer


class Command(BaseCommand):
    help = "Serve the authority Response Policy Zone over DNS (AXFR, IXFR, NOTIFY, TSIG)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--listen",
            action="append",
            metavar="ADDR:PORT",
            help="address to serve on, UDP and TCP (repeatable; default "
            "CHILDSAFE_ZONE_LISTEN or 127.0.0.1:5353)",
        )
        parser.add_argument(
            "--notify",
            action="append",
            metavar="ADDR:PORT",
            help="secondary to NOTIFY on every new serial (repeatable; default "
            "CHILDSAFE_ZONE_NOTIFY)",
        )
        parser.add_argument(
            "--tsig-key",
            action="append",
            metavar="NAME:ALGORITHM:BASE64SECRET",
            help="a key transfers must be signed with (repeatable; default "
            "CHILDSAFE_ZONE_TSIG_KEYS). With keys, unsigned transfers are refused.",
        )
        parser.add_argument(
            "--tsig-keyfile",
            metavar="PATH",
            help="file of keys: NAME:ALGORITHM:SECRET lines or tsig-keygen's key clauses",
        )
        parser.add_argument(
            "--allow-transfer",
            action="append",
            metavar="CIDR",
            help="networks that may transfer the zone (repeatable; default "
            "CHILDSAFE_ZONE_ALLOW_TRANSFER or loopback)",
        )
        parser.add_argument(
            "--allow-notify",
            action="append",
            metavar="CIDR",
            help="networks whose NOTIFY makes the server read the database at once "
            "(the web app; default loopback)",
        )
        parser.add_argument(
            "--poll-ms",
            type=int,
            default=None,
            help="how often to look at the zone's serial (default CHILDSAFE_ZONE_POLL_MS, 150)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            options = self.server_options(opts)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None
        asyncio.run(self.serve(options))

    def server_options(self, opts: dict[str, Any]) -> ServerOptions:
        listen = opts["listen"] or settings.CHILDSAFE_ZONE_LISTEN or ["127.0.0.1:5353"]
        notify = opts["notify"] or settings.CHILDSAFE_ZONE_NOTIFY
        keys = [parse_tsig_key(k) for k in opts["tsig_key"] or []]
        if not opts["tsig_key"] and settings.CHILDSAFE_ZONE_TSIG_KEYS:
            keys = parse_tsig_keys(settings.CHILDSAFE_ZONE_TSIG_KEYS)
        if opts["tsig_keyfile"]:
            with open(opts["tsig_keyfile"], encoding="utf-8") as keyfile:
                keys += parse_tsig_keys(keyfile.read())
        names = [key.name for key in keys]
        if len(set(names)) != len(names):
            raise ValueError("two TSIG keys have the same name")
        allow_transfer = opts["allow_transfer"] or settings.CHILDSAFE_ZONE_ALLOW_TRANSFER
        poll_ms = (
            opts["poll_ms"] if opts["poll_ms"] is not None else settings.CHILDSAFE_ZONE_POLL_MS
        )
        if poll_ms < 10:
            raise ValueError("--poll-ms must be at least 10")
        return ServerOptions(
            listen=tuple(parse_address(a) for a in listen),
            notify=tuple(parse_address(a) for a in notify),
            keys=tuple(keys),
            allow_transfer=parse_networks(allow_transfer) if allow_transfer else LOOPBACK,
            allow_notify=parse_networks(opts["allow_notify"])
            if opts["allow_notify"]
            else LOOPBACK,
            poll_secs=poll_ms / 1000,
        )

    async def serve(self, options: ServerOptions) -> None:
        server = ZoneServer(options)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await server.start()
        self.stdout.write(
            "zone server listening on "
            + ", ".join(f"{host}:{port}" for host, port in server.addresses),
        )
        try:
            await stopping.wait()
        finally:
            await server.stop()
        self.stdout.write("zone server stopped")
