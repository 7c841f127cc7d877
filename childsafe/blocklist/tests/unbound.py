"""Debian's Unbound on loopback, for tests that need a real resolver.

``unbound_server(rpz=[...])`` starts ``/usr/sbin/unbound`` in the foreground from a
configuration in a temporary folder, listening on 127.0.0.1 at a free high port, waits
until it answers, yields an ``UnboundServer`` (``query(name, type)``), and stops it::

    with unbound_server(rpz=[rpz_zonefile(origin, path)]) as server:
        answer = server.query("bad.example")

It never sends a packet off this machine: its outgoing interface is 127.0.0.1, and
queries it cannot answer itself go to a forwarder at an unused loopback port (they
time out, after a few seconds: do not ask for names outside the test's zones).
``local_a`` gives names it answers itself with an A record (the block page host, so a
CNAME to it resolves): a ``local-data`` record, plus a forward zone to the server
itself, since Unbound chases a CNAME through its iterator, which never reads
``local-data``. Each ``rpz`` item is the body of one ``rpz:`` clause (``rpz_zonefile``
and ``rpz_primary`` write the usual ones); ``server_extra`` adds lines to ``server:``
and ``extra`` whole clauses. ``run_unbound(config, ...)`` starts it from a configuration
written elsewhere (``childsafe unbound-config``); ``query(..., source="127.0.0.2")``
asks from another loopback address.

Skipped when Unbound is missing on a laptop; under CI (``CI=true``) a missing Unbound
fails, since ``make test`` installs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdataclass
import dns.rdatatype
import pytest

UNBOUND = "/usr/sbin/unbound"
START_TIMEOUT_SECS = 10.0


def require_unbound() -> None:
    if not os.access(UNBOUND, os.X_OK):
        reason = f"{UNBOUND} is missing (Debian package unbound)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true, so the resolver tests must run")
        pytest.skip(reason)


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (at the time of asking)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def rpz_zonefile(origin: str, path: Path | str) -> str:
    """An ``rpz:`` clause loading zone ``origin`` from a zone file."""
    return f'    name: "{origin.rstrip(".")}."\n    zonefile: "{path}"\n'


def rpz_primary(origin: str, port: int, address: str = "127.0.0.1") -> str:
    """An ``rpz:`` clause transferring zone ``origin`` from a primary (AXFR/IXFR)."""
    return (
        f'    name: "{origin.rstrip(".")}."\n'
        f"    primary: {address}@{port}\n"
        f"    allow-notify: {address}\n"
    )


@dataclass
class UnboundServer:
    port: int
    workdir: Path
    process: subprocess.Popen[bytes]
    address: str = "127.0.0.1"

    def query(
        self,
        name: str,
        rdtype: str = "A",
        *,
        timeout_secs: float = 3.0,
        rdclass: str = "IN",
        source: str | None = None,
    ) -> dns.message.Message:
        request = dns.message.make_query(
            name, dns.rdatatype.from_text(rdtype), dns.rdataclass.from_text(rdclass)
        )
        return dns.query.udp(
            request, self.address, port=self.port, timeout=timeout_secs, source=source
        )

    def log(self) -> str:
        path = self.workdir / "unbound.log"
        return path.read_text(errors="replace") if path.exists() else ""


def unbound_config(
    *,
    workdir: Path,
    port: int,
    dead_port: int,
    rpz: Iterable[str] = (),
    local_a: Mapping[str, str] | None = None,
    server_extra: str = "",
    extra: str = "",
) -> str:
    rpz_clauses = "".join(f"rpz:\n{clause}" for clause in rpz)
    for name, address in (local_a or {}).items():
        name = name.rstrip(".")
        server_extra += (
            f'    local-zone: "{name}." static\n    local-data: "{name}. 60 IN A {address}"\n'
        )
        extra += f'forward-zone:\n    name: "{name}."\n    forward-addr: 127.0.0.1@{port}\n'
    return f"""server:
    interface: 127.0.0.1
    port: {port}
    outgoing-interface: 127.0.0.1
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{workdir}"
    pidfile: "{workdir}/unbound.pid"
    use-syslog: no
    logfile: "{workdir}/unbound.log"
    verbosity: 1
    log-queries: no
    num-threads: 1
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    qname-minimisation: no
    module-config: "respip validator iterator"
{server_extra}
remote-control:
    control-enable: no

forward-zone:
    name: "."
    forward-addr: 127.0.0.1@{dead_port}

{rpz_clauses}
{extra}
"""


@contextmanager
def unbound_server(
    *,
    rpz: Iterable[str] = (),
    local_a: Mapping[str, str] | None = None,
    server_extra: str = "",
    extra: str = "",
) -> Iterator[UnboundServer]:
    require_unbound()
    with tempfile.TemporaryDirectory(prefix="childsafe-unbound-") as tmp:
        workdir = Path(tmp)
        port, dead_port = free_port(), free_port()
        config = workdir / "unbound.conf"
        config.write_text(
            unbound_config(
                workdir=workdir,
                port=port,
                dead_port=dead_port,
                rpz=list(rpz),
                local_a=local_a,
                server_extra=server_extra,
                extra=extra,
            )
        )
        with run_unbound(config, workdir=workdir, port=port) as server:
            yield server


@contextmanager
def run_unbound(config: Path, *, workdir: Path, port: int) -> Iterator[UnboundServer]:
    """Check ``config`` with ``unbound-checkconf``, start Unbound from it (it must listen
    on 127.0.0.1 at ``port`` and stay in the foreground), wait until it answers, and stop
    it afterwards."""
    require_unbound()
    checked = subprocess.run(  # noqa: S603
        ["/usr/sbin/unbound-checkconf", str(config)], capture_output=True, text=True
    )
    if checked.returncode != 0:
        raise RuntimeError(f"unbound-checkconf refused the configuration:\n{checked.stderr}")
    process = subprocess.Popen(  # noqa: S603
        [UNBOUND, "-d", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = UnboundServer(port=port, workdir=workdir, process=process)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _wait_until_answering(server: UnboundServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            err = (
                server.process.stderr.read().decode(errors="replace")
                if server.process.stderr
                else ""
            )
            raise RuntimeError(
                f"unbound exited ({server.process.returncode}):\n{err}{server.log()}"
            )
        try:
            server.query("version.server", "TXT", rdclass="CH", timeout_secs=0.2)
        except (OSError, dns.exception.Timeout):
            time.sleep(0.05)
            continue
        return
    raise RuntimeError(f"unbound did not answer within {START_TIMEOUT_SECS} s:\n{server.log()}")
