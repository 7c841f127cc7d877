"""``childsafe dnsfilter``: the school filter service (a DNS server on the school's box).

    childsafe dnsfilter --listen 0.0.0.0:53 [--listen [::]:53] --upstream 1.1.1.1:53
        [--upstream 8.8.8.8:53] --server https://province.example --school 12
        --state-dir /var/lib/childsafe-dnsfilter [--sync-secs 300] [--stats-secs 900]
        [--notify-from 203.0.113.5/32[,2001:db8::/64]]

The token comes from ``CHILDSAFE_DNSFILTER_TOKEN`` or ``--token-file`` (``--token`` works
too, but a command line is visible to every user of the box). Every option has an
environment variable, ``CHILDSAFE_DNSFILTER_<OPTION>`` (repeatable ones take a
comma-separated list); the command line wins.

``childsafe.cli`` sends ``dnsfilter`` here before any Django setup: the box needs no
settings and no database. SIGTERM/SIGINT stop (after one last stats upload, 5 s at
most); SIGHUP downloads the policy now, and so does a DNS NOTIFY from a
``--notify-from`` network (``childsafe.dnsfilter.notify``; without the option every
NOTIFY is REFUSED). Bad arguments: a message and exit code 2.

Counts not yet uploaded are kept in ``<state-dir>/stats.json`` and survive a restart.

Per-device query log: only while the policy carries a school's logging period, into
``<state-dir>/querylog/`` (mode 0600), deleted after 7 days, never uploaded
(``childsafe.dnsfilter.querylog``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from childsafe.dnsfilter.notify import Network, NotifyHandler, parse_networks
from childsafe.dnsfilter.querylog import DIRECTORY as QUERYLOG_DIRECTORY
from childsafe.dnsfilter.querylog import QueryLog
from childsafe.dnsfilter.server import Filter, FilterServer
from childsafe.dnsfilter.sync import Link, PolicySync, StatsUpload
from childsafe.dnsfilter.upstream import Address, Resolver

log = logging.getLogger("childsafe.dnsfilter")

ENV = "CHILDSAFE_DNSFILTER_"
DEFAULT_STATE_DIR = "/var/lib/childsafe-dnsfilter"


@dataclass
class Config:
    listen: list[Address]
    upstreams: list[Address]
    server: str
    token: str
    school: int
    state_dir: Path
    sync_secs: float
    stats_secs: float
    log_level: str = "INFO"
    notify_from: list[Network] = field(default_factory=list)  # empty: NOTIFY is REFUSED


def parse_address(text: str, default_port: int = 53) -> Address:
    """``1.2.3.4:53``, ``[::1]:53``, ``1.2.3.4`` or ``::1`` (port 53)."""
    text = text.strip()
    host, port = text, str(default_port)
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"not an address: {text!r}")
        port = rest[1:] or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"not an IP address: {text!r}") from None
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"not a port: {text!r}")
    return str(address), int(port)


def _env_list(name: str) -> list[str]:
    return [v for v in os.environ.get(ENV + name, "").replace(" ", ",").split(",") if v]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="childsafe dnsfilter",
        description="The school DNS filter: applies the school's policy from the central "
        "server, forwards the rest to the upstream resolvers.",
    )
    parser.add_argument(
        "--listen",
        action="append",
        metavar="ADDR:PORT",
        help="address to serve on, UDP and TCP (repeatable; default 127.0.0.1:53)",
    )
    parser.add_argument(
        "--upstream",
        action="append",
        metavar="ADDR:PORT",
        help="resolver to forward to (repeatable, asked in turn; required)",
    )
    parser.add_argument("--server", help="the central server, e.g. https://province.example")
    parser.add_argument("--token", help="API token (prefer CHILDSAFE_DNSFILTER_TOKEN)")
    parser.add_argument("--token-file", help="file holding the API token")
    parser.add_argument("--school", help="the school's id on the central server")
    parser.add_argument(
        "--state-dir", help=f"where the last good policy is kept (default {DEFAULT_STATE_DIR})"
    )
    parser.add_argument("--sync-secs", help="seconds between policy downloads (default 300)")
    parser.add_argument("--stats-secs", help="seconds between stats uploads (default 900)")
    parser.add_argument(
        "--notify-from",
        action="append",
        metavar="CIDR[,CIDR]",
        help="networks whose DNS NOTIFY makes the filter download its policy at once "
        "(the central server's address; repeatable; default none: every NOTIFY is refused)",
    )
    parser.add_argument("--log-level", default=os.environ.get(ENV + "LOG_LEVEL", "INFO"))
    return parser


def parse_args(argv: Sequence[str]) -> Config:
    """The configuration, or ``parser.error`` (a message on stderr, exit code 2)."""
    parser = build_parser()
    args = parser.parse_args(list(argv))

    def addresses(values: list[str] | None, env: str, option: str) -> list[Address]:
        try:
            return [parse_address(v) for v in (values or _env_list(env))]
        except ValueError as exc:
            parser.error(f"{option}: {exc}")

    listen = addresses(args.listen, "LISTEN", "--listen") or [("127.0.0.1", 53)]
    upstreams = addresses(args.upstream, "UPSTREAM", "--upstream")
    if not upstreams:
        parser.error("--upstream: at least one resolver is required (e.g. 1.1.1.1:53)")

    server = args.server or os.environ.get(ENV + "SERVER", "")
    if not server:
        parser.error("--server: the central server's address is required")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        parser.error(f"--server: not an http(s) address: {server!r}")
    if parts.query or parts.fragment or parts.username:
        parser.error("--server: give the server's address only (no query, no credentials)")

    token = args.token or os.environ.get(ENV + "TOKEN", "")
    token_file = args.token_file or os.environ.get(ENV + "TOKEN_FILE", "")
    if not token and token_file:
        try:
            token = Path(token_file).read_text().strip()
        except OSError as exc:
            parser.error(f"--token-file: {exc}")
    if not token:
        parser.error("a token is required: CHILDSAFE_DNSFILTER_TOKEN, --token-file or --token")

    school_text = args.school or os.environ.get(ENV + "SCHOOL", "")
    if not school_text.isdigit() or int(school_text) < 1:
        parser.error(f"--school: a school id (a positive number) is required, not {school_text!r}")

    def seconds(value: str | None, env: str, option: str, default: float) -> float:
        text = value or os.environ.get(ENV + env, "")
        if not text:
            return default
        try:
            number = float(text)
        except ValueError:
            number = -1
        if not 5 <= number <= 86400:
            parser.error(f"{option}: seconds between 5 and 86400, not {text!r}")
        return number

    try:
        notify_from = parse_networks(
            [v for value in args.notify_from or [] for v in value.split(",")]
            or _env_list("NOTIFY_FROM")
        )
    except ValueError as exc:
        parser.error(f"--notify-from: {exc}")

    return Config(
        listen=listen,
        upstreams=upstreams,
        server=server,
        token=token,
        school=int(school_text),
        state_dir=Path(args.state_dir or os.environ.get(ENV + "STATE_DIR", DEFAULT_STATE_DIR)),
        sync_secs=seconds(args.sync_secs, "SYNC_SECS", "--sync-secs", 300.0),
        stats_secs=seconds(args.stats_secs, "STATS_SECS", "--stats-secs", 900.0),
        log_level=args.log_level,
        notify_from=notify_from,
    )


async def serve(
    config: Config,
    stop: asyncio.Event,
    *,
    started: Callable[[FilterServer, PolicySync], None] | None = None,
) -> None:
    """Run until ``stop`` is set; SIGHUP (when the loop can take signals) syncs now.
    ``started`` gets the running server and the policy sync (tests)."""
    query_log = QueryLog(config.state_dir / QUERYLOG_DIRECTORY)
    filter = Filter(Resolver(config.upstreams), query_log=query_log)
    link = Link(config.server, config.token, config.school)
    sync = PolicySync(filter, link, config.state_dir)
    stats = StatsUpload(filter, link, state_dir=config.state_dir)
    stats.load_saved()
    if not sync.load_saved():
        log.warning("dnsfilter: answering SERVFAIL until a policy is downloaded")
    wake = asyncio.Event()  # set by SIGHUP and an accepted NOTIFY: download now
    filter.on_notify = NotifyHandler(config.notify_from, wake)
    server = FilterServer(filter, config.listen)
    await server.start()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, wake.set)
    tasks = [
        asyncio.create_task(sync.run(config.sync_secs, wake)),
        asyncio.create_task(stats.run(config.stats_secs)),
        asyncio.create_task(query_log.run()),
    ]
    try:
        if started is not None:
            started(server, sync)
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stats.upload_once(), 5)
        await server.stop()


async def _main(config: Config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(config, stop)


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=getattr(logging, config.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(_main(config))
    except OSError as exc:  # e.g. the listen address is taken or port 53 needs privileges
        log.error("dnsfilter: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
