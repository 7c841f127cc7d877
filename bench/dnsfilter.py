"""School filter benchmark: ``childsafe dnsfilter`` against Unbound, 1M blocked names.

    .venv/bin/python bench/dnsfilter.py [--domains 1000000] [--allowed 10000]
        [--seconds 10] [--server-cpu N] [--client-cpu N] [--seed 5]

(``bench/dnsfilter.sh`` and ``make bench-dnsfilter`` run it.) All on loopback:

1. makes ``--domains`` seeded random names (registrable names under common and
   Vietnamese suffixes, a fifth of them with a subdomain) and ``--allowed`` names under
   none of them; writes a ``childsafe-policy/1`` document blocking the names in one
   category (``adult``) for the default tier at all times (no schedule, no networks);
2. starts Debian's Unbound (one thread) with the same names as an RPZ (``name`` and
   ``*.name``, CNAME ``.``: NXDOMAIN for the name and below, as the filter blocks) and
   the allowed names as ``local-data``, pinned to ``--server-cpu`` with ``taskset``;
3. starts the filter (this script with ``--serve-filter``: the policy file loaded as
   ``PolicySync.load_saved`` loads it, a ``Filter`` with the per-client rate limit off,
   ``server.run``; no central server), pinned to the same CPU, with Unbound as its
   upstream, and asks it every allowed name once so the answers are in its cache;
4. for each server and workload (blocked: half listed names, half ``www.`` below them;
   allowed: the allowed names, answered from the filter's cache or Unbound's local
   data) runs ``dnsperf`` (pinned to ``--client-cpu``) for ``--seconds`` at full speed
   (queries per second, average latency), then again at 80 % of that rate with ``-v``
   (dnsperf 2.10 has no latency histogram): the p99 of the per-query latencies it
   prints. Resident memory (VmRSS) is read from ``/proc`` after the runs.

Prints one line per server and workload and last ``ratio filter/unbound qps: blocked
X.XX allowed Y.YY``. Targets (issue 5): blocked >= 1.5, allowed >= 0.75, p99 <= 2 ms
at 80 % load, filter <= 150 MB resident. A script, not a test: nothing is asserted.
The figures depend on the machine's load: run it on an idle box (``uptime`` is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402

from childsafe.blocklist.tests.unbound import UNBOUND, free_port, unbound_config  # noqa: E402

TLDS = ("com", "net", "org", "vn", "com.vn", "edu.vn", "info", "xyz", "top", "online", "io")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ALLOWED_ADDRESS = "192.0.2.1"
START_TIMEOUT_SECS = 600.0


def make_names(count: int, rng: random.Random) -> set[str]:
    names: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choices(ALPHABET, k=rng.randint(5, 14))) + "." + rng.choice(TLDS)
        if rng.random() < 0.2:
            name = "".join(rng.choices(ALPHABET, k=rng.randint(2, 6))) + "." + name
        names.add(name)
    return names


def make_allowed(count: int, blocked: set[str], rng: random.Random) -> list[str]:
    allowed: list[str] = []
    for name in sorted(make_names(count * 2, rng)):
        labels = name.split(".")
        if not any(".".join(labels[i:]) in blocked for i in range(len(labels))):
            allowed.append("www." + name)
    rng.shuffle(allowed)
    return allowed[:count]


def write_inputs(workdir: Path, domains: int, allowed_count: int, seed: int) -> dict[str, Path]:
    rng = random.Random(seed)
    blocked = make_names(domains, rng)
    allowed = make_allowed(allowed_count, blocked, rng)
    listed = sorted(blocked)
    document = {
        "format": "childsafe-policy/1",
        "version": "bench",
        "school": {"id": 1, "code": "bench", "name": "Bench"},
        "timezone": "Asia/Ho_Chi_Minh",
        "block": {"mode": "nxdomain"},
        "networks": [],
        "default_tier": "primary",
        "authority": [],
        "allow": [],
        "deny": [],
        "categories": {"adult": listed},
        "rules": [{"tier": "primary", "category": "adult", "schedule": None}],
        "safesearch": {},
    }
    paths = {
        "policy": workdir / "policy.json",
        "rpz": workdir / "rpz.zone",
        "blocked": workdir / "blocked.txt",
        "allowed": workdir / "allowed.txt",
    }
    paths["policy"].write_text(json.dumps(document))
    with paths["rpz"].open("w") as f:
        f.write("$TTL 60\n@ SOA localhost. root.localhost. 1 3600 600 86400 60\n@ NS localhost.\n")
        for name in listed:
            f.write(f"{name} CNAME .\n*.{name} CNAME .\n")
    sample = rng.sample(listed, min(len(listed), 100_000))
    paths["blocked"].write_text(
        "".join(f"{'www.' if i % 2 else ''}{name} A\n" for i, name in enumerate(sample))
    )
    paths["allowed"].write_text("".join(f"{name} A\n" for name in allowed))
    paths["allowed_names"] = workdir / "allowed.names"
    paths["allowed_names"].write_text("\n".join(allowed))
    return paths


# -- Servers -------------------------------------------------------------------------


def serve_filter(policy_path: str, port: int, upstream_port: int) -> None:
    """The filter process: the saved policy, no central server, no rate limit."""
    from childsafe.dnsfilter.policy import load_policy_file
    from childsafe.dnsfilter.server import Filter, run
    from childsafe.dnsfilter.upstream import Resolver

    logging.basicConfig(level=logging.WARNING)
    policy = load_policy_file(policy_path)
    filter = Filter(Resolver([("127.0.0.1", upstream_port)]), policy, rate=0)
    asyncio.run(run([("127.0.0.1", port)], [], filter=filter))


@contextmanager
def process(argv: list[str], workdir: Path, name: str) -> Iterator[subprocess.Popen[bytes]]:
    log = (workdir / f"{name}.log").open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_answering(proc: subprocess.Popen[bytes], port: int, name: str, workdir: Path) -> float:
    started = time.monotonic()
    request = dns.message.make_query("probe.invalid", "A")
    while time.monotonic() - started < START_TIMEOUT_SECS:
        if proc.poll() is not None:
            log = (workdir / f"{name}.log").read_text(errors="replace")
            raise RuntimeError(f"{name} exited ({proc.returncode}):\n{log[-3000:]}")
        try:
            dns.query.udp(request, "127.0.0.1", port=port, timeout=0.5)
        except (OSError, dns.exception.Timeout):
            time.sleep(0.2)
            continue
        return time.monotonic() - started
    raise RuntimeError(f"{name} did not answer within {START_TIMEOUT_SECS} s")


def resident_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


# -- dnsperf -------------------------------------------------------------------------


@dataclass
class Result:
    qps: float
    avg_ms: float
    lost: int
    codes: str
    p99_ms: float = 0.0
    p99_qps: float = 0.0


def dnsperf(
    port: int, data: Path, seconds: float, cpu: str, *, rate: float = 0, verbose: bool = False
) -> tuple[Result, list[float]]:
    argv = ["taskset", "-c", cpu, "dnsperf", "-s", "127.0.0.1", "-p", str(port)]
    argv += ["-d", str(data), "-l", str(seconds), "-c", "10", "-q", "100", "-t", "2"]
    if rate:
        argv += ["-Q", str(int(rate))]
    if verbose:
        argv += ["-v"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    avg = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    codes = re.search(r"Response codes:\s+(.*)", out)
    latencies = []
    if verbose:
        # "> NOERROR example.com A 0.000123" per query.
        for line in out.splitlines():
            if line.startswith("> "):
                latencies.append(float(line.rsplit(None, 1)[1]) * 1000)
    return Result(qps, avg * 1000, lost, codes.group(1) if codes else "?"), latencies


def measure(port: int, data: Path, seconds: float, cpu: str) -> Result:
    result, _ = dnsperf(port, data, seconds, cpu)
    rate = result.qps * 0.8
    paced, latencies = dnsperf(port, data, seconds, cpu, rate=rate, verbose=True)
    if latencies:
        result.p99_ms = statistics.quantiles(latencies, n=100)[98]
    result.p99_qps = paced.qps
    return result


def report(server: str, workload: str, r: Result) -> None:
    print(
        f"{server:8} {workload:8} {r.qps:9.0f} qps  avg {r.avg_ms:6.3f} ms  "
        f"p99 {r.p99_ms:6.3f} ms at {r.p99_qps:7.0f} qps (80 %)  lost {r.lost}  [{r.codes}]",
        flush=True,
    )


# -- The run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=1_000_000)
    parser.add_argument("--allowed", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    cpus = sorted(os.sched_getaffinity(0))
    parser.add_argument("--server-cpu", default=str(cpus[-1]))
    parser.add_argument("--client-cpu", default=str(cpus[0]))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--serve-filter", nargs=3, metavar=("POLICY", "PORT", "UPSTREAM_PORT"))
    args = parser.parse_args()
    if args.serve_filter:
        path, port, upstream = args.serve_filter
        serve_filter(path, int(port), int(upstream))
        return
    for tool in ("dnsperf", "taskset", UNBOUND):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (scripts/bench-deps.sh installs it)")

    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"cpus: server {args.server_cpu}, dnsperf {args.client_cpu} (of {len(cpus)})")
    with tempfile.TemporaryDirectory(prefix="childsafe-bench-dnsfilter-") as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        paths = write_inputs(workdir, args.domains, args.allowed, args.seed)
        print(
            f"inputs: {args.domains} blocked names, {args.allowed} allowed names "
            f"({time.monotonic() - started:.1f} s)",
            flush=True,
        )
        allowed = paths["allowed_names"].read_text().split("\n")
        local_data = "".join(
            f'    local-data: "{name}. 3600 IN A {ALLOWED_ADDRESS}"\n' for name in allowed
        )
        unbound_port, filter_port = free_port(), free_port()
        config = workdir / "unbound.conf"
        config.write_text(
            unbound_config(
                workdir=workdir,
                port=unbound_port,
                dead_port=free_port(),
                rpz=[f'    name: "rpz.bench."\n    zonefile: "{paths["rpz"]}"\n'],
                server_extra=local_data,
            )
        )
        results: dict[tuple[str, str], Result] = {}
        unbound_argv = ["taskset", "-c", args.server_cpu, UNBOUND, "-d", "-c", str(config)]
        with process(unbound_argv, workdir, "unbound") as unbound:
            secs = wait_answering(unbound, unbound_port, "unbound", workdir)
            rss, _ = resident_mb(unbound.pid)
            print(f"unbound: answering after {secs:.1f} s, {rss:.0f} MB resident", flush=True)
            dnsperf(unbound_port, paths["allowed"], 2, args.client_cpu)  # warm up
            for workload in ("blocked", "allowed"):
                result = measure(unbound_port, paths[workload], args.seconds, args.client_cpu)
                results["unbound", workload] = result
                report("unbound", workload, result)
            unbound_rss, unbound_hwm = resident_mb(unbound.pid)

            filter_argv = ["taskset", "-c", args.server_cpu, sys.executable, __file__]
            filter_argv += ["--serve-filter", str(paths["policy"])]
            filter_argv += [str(filter_port), str(unbound_port)]
            with process(filter_argv, workdir, "filter") as filter:
                secs = wait_answering(filter, filter_port, "filter", workdir)
                rss, _ = resident_mb(filter.pid)
                print(f"filter: answering after {secs:.1f} s, {rss:.0f} MB resident", flush=True)
                dnsperf(
                    filter_port, paths["allowed"], 3, args.client_cpu, rate=5000
                )  # fills the cache: every allowed name at least once
                dnsperf(filter_port, paths["blocked"], 2, args.client_cpu)  # warm up
                for workload in ("blocked", "allowed"):
                    result = measure(filter_port, paths[workload], args.seconds, args.client_cpu)
                    results["filter", workload] = result
                    report("filter", workload, result)
                filter_rss, filter_hwm = resident_mb(filter.pid)

    print(f"resident: filter {filter_rss:.0f} MB (peak {filter_hwm:.0f} MB), ", end="")
    print(f"unbound {unbound_rss:.0f} MB (peak {unbound_hwm:.0f} MB)")
    print(
        "ratio filter/unbound qps: "
        f"blocked {results['filter', 'blocked'].qps / results['unbound', 'blocked'].qps:.2f} "
        f"allowed {results['filter', 'allowed'].qps / results['unbound', 'allowed'].qps:.2f}"
    )


if __name__ == "__main__":
    main()
