"""Blocklist feeds benchmark: the RPZ for a million entries, and the time to block.

    .venv/bin/python bench/feeds.py [--entries 1000000] [--rounds 20] [--batch 100]

Part 1, in this process, no database:

1. makes ``--entries`` realistic names (seeded): registrable names under common and
   Vietnamese suffixes, subdomains of them (some under a listed parent), deep names,
   duplicates in other spellings (upper case, ``*.``, a trailing dot), internationalised
   names, and some invalid ones (URLs, IP addresses, public suffixes, bad labels);
2. validates them as an officer's input is (``lib.domains.normalise_domain``) and
   prints the seconds (intake-time work, not part of the RPZ target);
3. builds the RPZ with ``blocklist.rpz.render_rpz`` (deduplicate, drop names under a
   listed parent, write): seconds, and peak memory in a second run under tracemalloc;
   the target is 2 s;
4. loads the same names into the zone server's structure (``zoneserver.zonedata``),
   times the IXFR diff for a batch of 1,000 new names (the journal step applied, and the
   IXFR messages written; target 50 ms), and writes the whole AXFR's messages.

Part 2, the time to block, for a zone of ``--entries`` and one of ``--small`` entries
(unless ``--skip-part2``). For each size: drops and recreates the PostgreSQL database
``childsafe_bench_feeds`` at 127.0.0.1:5432, migrates it, creates an ICT officer and an
API token through the services, loads the entries with COPY, starts ``childsafe
serve`` (gunicorn, ``CHILDSAFE_ZONESERVER_NOTIFY`` set), ``childsafe zoneserver`` and
Debian's Unbound as its RPZ secondary, all on loopback; waits until Unbound holds the
zone; then, ``--rounds`` times, POSTs ``--batch`` new names to
``/api/v1/blocklist/entries`` (after ``--warm-up`` rounds not counted: the web
workers' first requests load the API) and asks Unbound (every 2 ms, without waiting for
answers) for the last name of the batch until it answers NXDOMAIN. Prints the median
and 95th percentile of the seconds from the POST to the NXDOMAIN.

When Knot DNS is installed (``knotd``; Debian's package ``knot``), the same rounds run
against it as the peer primary: the same zone file, a fresh Unbound of the same
configuration, the same batches sent as a dynamic update (RFC 2136) to knotd, which
journals them and NOTIFYs Unbound. The ratio ChildSafe/Knot is printed; without Knot,
the ratio is against the figures measured elsewhere on this class of machine (Knot
as primary: 1.9-3.1 s for the 1M zone, 39 ms for the 1k zone).

Unbound never sends a packet off loopback (``childsafe/blocklist/tests/unbound.py``'s
configuration: outgoing interface 127.0.0.1, a dead loopback forwarder). This is a
script, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import secrets
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
from scratch import drop_database, environment, recreate_database, run  # noqa: E402

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childsafe.settings")

import django  # noqa: E402

django.setup()

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.update  # noqa: E402
from django.conf import settings  # noqa: E402

from childsafe.blocklist import rpz  # noqa: E402
from childsafe.blocklist.tests.unbound import UNBOUND, free_port, unbound_config  # noqa: E402
from childsafe.blocklist.zones import RpzMode  # noqa: E402
from childsafe.blocklist.zoneserver.follower import domain_validator, record_format  # noqa: E402
from childsafe.blocklist.zoneserver.protocol import axfr_parts, ixfr_parts  # noqa: E402
from childsafe.blocklist.zoneserver.wire import TransferWriter  # noqa: E402
from childsafe.blocklist.zoneserver.zonedata import ZoneState  # noqa: E402
from childsafe.lib.domains import InvalidDomain, normalise_domain  # noqa: E402

CHILDSAFE = str(Path(sys.executable).parent / "childsafe")
KNOTD = "/usr/sbin/knotd"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/childsafe_bench_feeds"
ORIGIN = settings.CHILDSAFE_RPZ_ORIGIN.rstrip(".") + "."
TARGET_RPZ_SECS = 2.0
TARGET_IXFR_MS = 50.0
TARGET_BLOCK_SECS = {"large": 2.0, "small": 0.100}
# Knot DNS as primary, measured elsewhere on this class of machine (the figures).
KNOT_QUOTED_SECS = {"large": (1.9, 3.1), "small": (0.039, 0.039)}

SUFFIXES = [
    *["com"] * 30,
    *["net", "org", "info", "xyz", "top", "site", "online", "club", "live", "me", "io"] * 2,
    *["vn", "com.vn", "net.vn", "edu.vn", "info.vn"] * 3,
    "co.uk",
    "blogspot.com",
]
SYLLABLES = [
    "an",
    "bao",
    "cam",
    "chat",
    "clip",
    "dep",
    "em",
    "gai",
    "game",
    "hay",
    "hot",
    "kho",
    "lo",
    "mien",
    "ngoc",
    "phim",
    "sex",
    "tube",
    "vid",
    "xem",
    "zing",
    "bet",
    "club",
    "live",
    "hd",
    "sub",
    "viet",
    "top",
    "new",
    "free",
    "tv",
    "truyen",
    "anh",
    "sao",
    "tin",
    "18",
    "88",
    "99",
    "ok",
    "vip",
]
INVALID = [
    "http://bad.example.com/path",
    "com.vn",
    "192.168.1.10",
    "bad..name.com",
    "with space.com",
    "a" * 70 + ".com",
    "",
    "*.*.example.com",
    "vn",
]


# -- Part 1 ----------------------------------------------------------------------------


def make_names(count: int, seed: int = 830) -> list[str]:
    """``count`` names as officers and feeds would send them (see the docstring)."""
    rng = random.Random(seed)

    def label() -> str:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        return word + (str(rng.randint(1, 9999)) if rng.random() < 0.6 else "")

    names: list[str] = []
    registrable: list[str] = []
    while len(names) < count:
        roll = rng.random()
        if roll < 0.62 or not registrable:
            name = f"{label()}.{rng.choice(SUFFIXES)}"
            registrable.append(name)
        elif roll < 0.82:
            prefix = rng.choice(["www", "m", "cdn", "img", "api", "video", label()])
            name = f"{prefix}.{rng.choice(registrable)}"
        elif roll < 0.85:
            name = f"{label()}.{label()}.{rng.choice(registrable)}"
        elif roll < 0.93 and names:
            twin = rng.choice(names)
            name = rng.choice([twin.upper(), f"*.{twin}", f"{twin}.", twin])
        elif roll < 0.98:
            name = f"phim-{label()}-việt.{rng.choice(['vn', 'com.vn', 'com'])}"
        else:
            name = rng.choice(INVALID)
        names.append(name)
    return names


def normalise_all(names: list[str]) -> tuple[list[str], int]:
    valid, invalid = [], 0
    for name in names:
        try:
            valid.append(normalise_domain(name))
        except InvalidDomain:
            invalid += 1
    return valid, invalid


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_mb(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def part1(count: int) -> list[str]:
    print(f"== part 1: {count:,} names, in this process ==")
    raw, secs = timed(lambda: make_names(count))
    print(f"generated {len(raw):,} raw names in {secs:.1f} s (not timed against a target)")
    (valid, invalid), secs = timed(lambda: normalise_all(raw))
    print(
        f"normalise_domain (an officer's input, checked once at entry): {len(valid):,} valid,"
        f" {invalid:,} refused, {secs:.1f} s ({1e6 * secs / len(raw):.1f} us per name)"
    )
    serial, origin, mode = 42, settings.CHILDSAFE_RPZ_ORIGIN, RpzMode.NXDOMAIN
    render = lambda: rpz.render_rpz(valid, serial=serial, origin=origin, mode=mode)  # noqa: E731
    text, secs = timed(render)
    text, secs2 = timed(render)  # the second run: warm caches, as the feed would be
    records = text.count(" CNAME ")
    print(
        f"render_rpz (validate, deduplicate, drop covered names, write): {records // 2:,}"
        f" domains, {records:,} CNAMEs, {len(text) / 2**20:.0f} MB of text in {secs:.2f} s"
        f" (again: {secs2:.2f} s); target <= {TARGET_RPZ_SECS:.0f} s:"
        f" measured/target {min(secs, secs2) / TARGET_RPZ_SECS:.2f}"
    )
    del text
    print(f"render_rpz peak memory (tracemalloc, a separate run): {peak_mb(render):.0f} MB")

    validate = domain_validator()
    state, secs = timed(lambda: ZoneState(serial=1, domains=valid, validate=validate))
    print(
        f"zone server: {len(state.domains):,} domains, {len(state.cover):,} in the cover,"
        f" loaded in {secs:.2f} s"
    )
    fmt = record_format()
    times = []
    for round_ in range(5):
        batch = [f"bench{round_}-{i}.example-{i % 37}.com" for i in range(1000)]
        started = time.perf_counter()
        diff = state.apply(2 + round_, added=batch, removed=[])
        applied = time.perf_counter()
        view = state.view()
        writer = TransferWriter(fmt=fmt, query_id=1, flags=0x8400, question=_question())
        messages = list(writer.write(ixfr_parts(fmt, view, view.diffs[-1:])))
        done = time.perf_counter()
        times.append((1000 * (applied - started), 1000 * (done - applied)))
        assert len(diff.added) == 1000 and messages
    apply_ms = statistics.median(t[0] for t in times)
    write_ms = statistics.median(t[1] for t in times)
    print(
        f"IXFR diff for a 1,000-name batch against the {len(state.cover):,}-domain zone"
        f" (median of 5): journal step applied {apply_ms:.1f} ms + messages written"
        f" {write_ms:.1f} ms = {apply_ms + write_ms:.1f} ms; target <= {TARGET_IXFR_MS:.0f}"
        f" ms: measured/target {(apply_ms + write_ms) / TARGET_IXFR_MS:.2f}"
    )
    started = time.perf_counter()
    serial, wire_names = state.full_names()
    writer = TransferWriter(fmt=fmt, query_id=1, flags=0x8400, question=_question())
    size = sum(len(m) for m in writer.write(axfr_parts(fmt, serial, wire_names)))
    print(
        f"AXFR of the whole zone: {writer.records:,} records in {writer.messages:,} messages,"
        f" {size / 2**20:.0f} MB, written in {time.perf_counter() - started:.2f} s"
    )
    del state, wire_names
    gc.collect()
    return entries_for_part2(valid, count)


def entries_for_part2(valid: list[str], count: int) -> list[str]:
    """``count`` distinct canonical names: part 1's, topped up with made-up ones."""
    names = list(dict.fromkeys(valid))
    rng = random.Random(1996)
    seen = set(names)
    while len(names) < count:
        name = f"fill{len(names)}-{rng.choice(SYLLABLES)}.{rng.choice(SUFFIXES)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    rng.shuffle(names)
    return names[:count]


def _question() -> bytes:
    name = dns.name.from_text(ORIGIN).to_wire()
    assert name is not None
    return name + b"\x00\xfc\x00\x01"


# -- Part 2 ----------------------------------------------------------------------------

SETUP = """
import datetime as dt
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.orgs.services import api_token_create, user_create
from childsafe.blocklist import zones
org = Organisation.objects.create(
    code="bench-ict", name="Bench ICT department", kind=OrgKind.DEPARTMENT,
    effective_from=dt.date(2022, 1, 1),
)
user = user_create(
    username="bench-ict", role=Role.ICT_OFFICER, organisation=org, password=None, actor=None,
)
_token, raw = api_token_create(user, name="bench", actor=None)
snapshot = zones.zone_snapshot(zones.AUTHORITY_ZONE)
print("TOKEN=" + raw)
print("SERIAL=" + str(snapshot.serial))
"""


class Round:
    def __init__(self, api_ms: float, block_secs: float) -> None:
        self.api_ms = api_ms
        self.block_secs = block_secs


def part2(args: argparse.Namespace, names: list[str]) -> None:
    print(f"\n== part 2: time to block, {args.rounds} rounds of {args.batch} names ==")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min average), {os.cpu_count()} cores")
    knot = os.access(KNOTD, os.X_OK)
    results: dict[str, dict[str, list[Round]]] = {}
    for label, size in (("large", args.entries), ("small", args.small)):
        entries = names[:size]
        results[label] = {"childsafe": childsafe_rounds(args, entries, label)}
        if knot:
            results[label]["knot"] = knot_rounds(args, entries, label)
    print("\n== summary ==")
    for label, size in (("large", args.entries), ("small", args.small)):
        ours = [r.block_secs for r in results[label]["childsafe"]]
        median, p95 = statistics.median(ours), percentile(ours, 95)
        target = TARGET_BLOCK_SECS[label]
        line = (
            f"{size:>9,} entries: ChildSafe median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f}"
            f" ms; target p95 <= {target * 1000:.0f} ms: measured/target {p95 / target:.2f}"
        )
        if "knot" in results[label]:
            theirs = [r.block_secs for r in results[label]["knot"]]
            k_median, k_p95 = statistics.median(theirs), percentile(theirs, 95)
            line += (
                f"; Knot {knot_version()} here: median {k_median * 1000:.0f} ms, p95"
                f" {k_p95 * 1000:.0f} ms; ChildSafe/Knot p95 {p95 / k_p95:.2f},"
                f" median {median / k_median:.2f}"
            )
        low, high = KNOT_QUOTED_SECS[label]
        quoted = f"{low * 1000:.0f} ms" if low == high else f"{low:.1f}-{high:.1f} s"
        line += f"; against Knot's quoted {quoted}: {p95 / high:.2f}-{p95 / low:.2f}"
        print(line)
    if not knot:
        print("Knot DNS is not installed (apt-get install knot): ratios are to quoted figures.")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered))) - 1))]


def knot_version() -> str:
    out = subprocess.run([KNOTD, "-V"], capture_output=True, text=True).stdout
    return out.split("version")[-1].strip() if "version" in out else "?"


def childsafe_rounds(args: argparse.Namespace, entries: list[str], label: str) -> list[Round]:
    print(f"\n-- ChildSafe, {len(entries):,} entries --")
    workdir = Path(tempfile.mkdtemp(prefix="childsafe-bench-feeds-"))
    env = environment(args.database_url, workdir)
    zone_port, unbound_port, web_port = free_port(), free_port(), free_port()
    env["CHILDSAFE_ZONESERVER_NOTIFY"] = f"127.0.0.1:{zone_port}"
    try:
        recreate_database(args.database_url)
        run([CHILDSAFE, "migrate", "--noinput", "-v", "0"], env)
        run([CHILDSAFE, "createcachetable"], env)
        started = time.perf_counter()
        _copy_entries(args.database_url, entries)
        print(
            f"loaded {len(entries):,} entries with COPY in {time.perf_counter() - started:.1f} s"
        )
        out = run([CHILDSAFE, "shell", "-c", SETUP], env)
        token = out.split("TOKEN=", 1)[1].split()[0]
        serial = int(out.split("SERIAL=", 1)[1].split()[0])
        with (
            _process(
                "web",
                [CHILDSAFE, "serve", "--bind", f"127.0.0.1:{web_port}", "--workers", "2"],
                env,
                workdir,
            ),
            _process(
                "zoneserver",
                [
                    CHILDSAFE,
                    "zoneserver",
                    "--listen",
                    f"127.0.0.1:{zone_port}",
                    "--notify",
                    f"127.0.0.1:{unbound_port}",
                ],
                {**env, "LOG_LEVEL": "INFO"},
                workdir,
            ) as zoneserver,
        ):
            _wait_http(web_port)
            started = time.perf_counter()
            _wait_serial(zone_port, serial, timeout=600)
            print(
                f"zone server loaded the zone in {time.perf_counter() - started:.1f} s;"
                f" its memory (RSS): {_rss_mb(zoneserver.pid):.0f} MB"
            )
            with _unbound(workdir, unbound_port, zone_port) as resolver:
                started = time.perf_counter()
                _wait_serial(resolver, serial, timeout=900)
                print(f"Unbound took the whole zone in {time.perf_counter() - started:.1f} s")

                def add(batch: list[str]) -> float:
                    return _post_entries(web_port, token, batch)

                return _rounds(args, add, resolver, label, "ChildSafe")
    finally:
        _print_log_tail(workdir / "zoneserver.log", "zone server", lines=6)
        drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def knot_rounds(args: argparse.Namespace, entries: list[str], label: str) -> list[Round]:
    print(f"\n-- Knot DNS {knot_version()} as the primary, {len(entries):,} entries --")
    workdir = Path(tempfile.mkdtemp(prefix="childsafe-bench-knot-"))
    knot_port, unbound_port = free_port(), free_port()
    (workdir / "db").mkdir()
    zone_file = workdir / "authority.rpz"
    zone_file.write_text(rpz.render_rpz(entries, serial=1, origin=ORIGIN, mode=RpzMode.NXDOMAIN))
    (workdir / "knot.conf").write_text(
        f"""server:
    listen: 127.0.0.1@{knot_port}
    rundir: "{workdir}"
    background-workers: 1
database:
    storage: "{workdir}/db"
log:
  - target: "{workdir}/knot.log"
    any: info
remote:
  - id: unbound
    address: 127.0.0.1@{unbound_port}
acl:
  - id: loopback
    address: 127.0.0.0/8
    action: [transfer, update]
zone:
  - domain: "{ORIGIN}"
    file: "{zone_file}"
    notify: unbound
    acl: loopback
    zonefile-sync: -1
    journal-content: changes
    semantic-checks: off
"""
    )
    try:
        with _process(
            "knot", [KNOTD, "-c", str(workdir / "knot.conf")], dict(os.environ), workdir
        ):
            started = time.perf_counter()
            _wait_serial(knot_port, 1, timeout=600)
            print(f"knotd loaded the zone in {time.perf_counter() - started:.1f} s")
            with _unbound(workdir, unbound_port, knot_port) as resolver:
                started = time.perf_counter()
                _wait_serial(resolver, 1, timeout=900)
                print(f"Unbound took the whole zone in {time.perf_counter() - started:.1f} s")

                def add(batch: list[str]) -> float:
                    update = dns.update.UpdateMessage(ORIGIN)
                    for name in batch:
                        update.add(dns.name.from_text(name, dns.name.empty), 300, "CNAME", ".")
                        update.add(
                            dns.name.from_text(f"*.{name}", dns.name.empty), 300, "CNAME", "."
                        )
                    started = time.perf_counter()
                    answer = dns.query.tcp(update, "127.0.0.1", port=knot_port, timeout=30)
                    if answer.rcode() != dns.rcode.NOERROR:
                        raise RuntimeError(f"knotd refused the update: {answer.rcode()}")
                    return 1000 * (time.perf_counter() - started)

                return _rounds(args, add, resolver, label, "Knot")
    finally:
        _print_log_tail(workdir / "knot.log", "knotd", lines=4)
        shutil.rmtree(workdir, ignore_errors=True)


def _rounds(
    args: argparse.Namespace,
    add: Callable[[list[str]], float],
    resolver: int,
    label: str,
    who: str,
) -> list[Round]:
    rounds: list[Round] = []
    warm_up: list[Round] = []
    for number in range(args.warm_up + args.rounds):
        tag = secrets.token_hex(3)
        batch = [f"r{number}-{i}-{tag}.bench-{label}.com" for i in range(args.batch)]
        started = time.perf_counter()
        api_ms = add(batch)
        seconds = _wait_nxdomain(resolver, batch[-1], started, timeout=60)
        (warm_up if number < args.warm_up else rounds).append(Round(api_ms, seconds))
        time.sleep(0.2)
    if warm_up:
        print(
            f"{who}: warm-up rounds (not counted):"
            f" {', '.join(f'{r.block_secs * 1000:.0f} ms' for r in warm_up)}"
        )
    secs = [r.block_secs for r in rounds]
    after = [r.block_secs - r.api_ms / 1000 for r in rounds]
    print(
        f"{who}: time to block median {statistics.median(secs) * 1000:.0f} ms, p95"
        f" {percentile(secs, 95) * 1000:.0f} ms, max {max(secs) * 1000:.0f} ms"
        f" ({len(secs)} rounds); of which the call itself: median"
        f" {statistics.median(r.api_ms for r in rounds):.0f} ms, and from its answer to"
        f" the NXDOMAIN: median {statistics.median(after) * 1000:.0f} ms, p95"
        f" {percentile(after, 95) * 1000:.0f} ms"
    )
    return rounds


def _wait_nxdomain(port: int, name: str, started: float, timeout: float) -> float:
    """Ask Unbound for ``name`` every 2 ms on one socket, without waiting for answers (a
    name not yet blocked goes to the dead forwarder, and Unbound takes its time); return
    the seconds from ``started`` to the first NXDOMAIN."""
    query = dns.message.make_query(name, "A")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("127.0.0.1", port))
        sock.setblocking(False)
        query_id = 0
        while time.perf_counter() - started < timeout:
            query_id = (query_id + 1) & 0xFFFF
            query.id = query_id
            sock.send(query.to_wire())
            ready, _, _ = select.select([sock], [], [], 0.002)
            while ready:
                try:
                    answer = dns.message.from_wire(sock.recv(4096))
                except (BlockingIOError, dns.exception.DNSException):
                    break
                if answer.rcode() == dns.rcode.NXDOMAIN:
                    return time.perf_counter() - started
                ready, _, _ = select.select([sock], [], [], 0)
    raise RuntimeError(f"Unbound did not answer NXDOMAIN within {timeout} s")


def _wait_serial(port: int, serial: int, timeout: float) -> None:
    """Until the server at ``port`` answers the zone's SOA with ``serial`` or more."""
    deadline = time.monotonic() + timeout
    query = dns.message.make_query(ORIGIN, "SOA")
    while time.monotonic() < deadline:
        try:
            answer = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
            if answer.answer and answer.answer[0][0].serial >= serial:
                return
        except (OSError, dns.exception.DNSException):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no serial {serial} at port {port} within {timeout} s")


@contextmanager
def _unbound(workdir: Path, port: int, primary_port: int) -> Iterator[int]:
    unbound_dir = workdir / f"unbound-{port}"
    unbound_dir.mkdir()
    config = unbound_dir / "unbound.conf"
    clause = (
        f'    name: "{ORIGIN}"\n    primary: 127.0.0.1@{primary_port}\n'
        "    allow-notify: 127.0.0.1\n    for-downstream: yes\n"
    )
    config.write_text(
        unbound_config(workdir=unbound_dir, port=port, dead_port=free_port(), rpz=[clause])
    )
    with _process("unbound", [UNBOUND, "-d", "-c", str(config)], dict(os.environ), unbound_dir):
        _wait_serial_or_answer(port)
        yield port


def _wait_serial_or_answer(port: int) -> None:
    query = dns.message.make_query("version.server", "TXT", "CH")
    for _ in range(200):
        try:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            return
        except (OSError, dns.exception.DNSException):
            time.sleep(0.05)
    raise RuntimeError("Unbound did not start")


@contextmanager
def _process(
    name: str, argv: list[str], env: dict[str, str], workdir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log = (workdir / f"{name}.log").open("wb")
    process = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: see {log.name}")
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
        log.close()


def _rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` (from /proc; 0 elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _print_log_tail(path: Path, name: str, lines: int) -> None:
    if path.exists():
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        print(f"{name} log, last lines:\n  " + "\n  ".join(tail))


def _post_entries(port: int, token: str, batch: list[str]) -> float:
    review_on = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 90 * 86400))
    body = json.dumps(
        {"entries": [{"value": n, "reason": "csam", "review_on": review_on} for n in batch]}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/blocklist/entries",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    text = response.read()
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"the API answered {response.status}: {text[:300]!r}")
    return 1000 * (time.perf_counter() - started)


def _wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web app did not answer /healthz in time")


def _copy_entries(database_url: str, domains: list[str]) -> None:
    """Write one active domain entry per name with COPY, filling every NOT NULL column
    the table has (it may grow: the columns are read, not assumed)."""
    import psycopg

    table = "blocklist_authorityentry"
    fixed = {
        "kind": "domain",
        "reason": "csam",
        "source": "manual",
        "note": "bench",
        "added_at": "2026-01-01T00:00:00+00:00",
    }
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL"
            " AND column_name NOT IN ('id', 'value', 'host')",
            [table],
        ).fetchall()
        values = []
        for column, data_type in columns:
            if column in fixed:
                values.append(fixed[column])
            elif "timestamp" in data_type:
                values.append("2026-01-01T00:00:00+00:00")
            elif data_type == "date":
                values.append("2030-01-01")
            elif data_type == "boolean":
                values.append("f")
            elif data_type in ("integer", "bigint", "smallint"):
                values.append("0")
            else:
                values.append("")
        names = ["value", "host", *(c for c, _ in columns)]
        tail = "\t" + "\t".join(values) + "\n" if values else "\n"
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for start in range(0, len(domains), 50_000):
                chunk = domains[start : start + 50_000]
                copy.write("".join(f"{d}\t{d}{tail}" for d in chunk))
        conn.execute(f"ANALYZE {table}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000, help="the small zone's entries")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100, help="names per API call")
    parser.add_argument(
        "--warm-up", type=int, default=3, help="rounds first, not counted (cold web workers)"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--skip-part2", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} (1 min average)")
    names = part1(args.entries)
    if not args.skip_part2:
        if args.rounds < 10:
            parser.error("--rounds must be at least 10")
        part2(args, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
