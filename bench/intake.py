"""Intake benchmark: ``POST /api/v1/reports`` against a server started the production way.

    .venv/bin/python bench/intake.py [--workers 5] [--concurrency 16] [--json-requests 3000]

What it does, in order:

1. drops and recreates a PostgreSQL database (``childsafe_bench`` on 127.0.0.1 by
   default; ``--database-url`` names another; it is always dropped and recreated),
   migrates it and creates the cache table;
2. creates a provider organisation, a provider-contact user and an API token through
   the services (``childsafe shell -c``);
3. starts ``childsafe serve --workers N`` (gunicorn) with ``DEBUG=false``, a random
   ``SECRET_KEY`` and data key, ``CHILDSAFE_DEMO=false``, on a free loopback port;
4. drives the API from threads (``http.client``, loopback only), each request with its
   own ``Idempotency-Key``, for (a) JSON-only reports and (b) multipart reports carrying
   one 200 KB PNG; each phase stops after ``--*-requests`` requests or ``--max-secs``;
5. prints submissions per second, p50 and p99 latency, the target and measured/target,
   checks that the database holds exactly one report per 201, and stops the server;
6. links the submissions' audit events into the hash chain (``childsafe audit link``'s
   work, done in production by the worker's audited steps, not in the request), prints
   its CPU per event, and verifies the chain.

``--in-process N`` skips the server: one process sends N JSON submissions straight to
Django's WSGI handler and prints the CPU each took in Python and in its PostgreSQL
backend, and the SQL statements of one. Without the client, gunicorn and the other
processes it is a steadier measure of the application's own cost on a shared machine.

The load generator shares the machine with the server: on a small machine its own CPU
use lowers the figures. This is a script, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
from scratch import drop_database, environment, recreate_database, run  # noqa: E402

CHILDSAFE = str(Path(sys.executable).parent / "childsafe")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/childsafe_bench"
# The target, for JSON-only submissions on a 2-core machine.
TARGET_PER_SEC = 300.0
TARGET_P99_MS = 250.0
IMAGE_BYTES = 200 * 1024

SETUP = """
import datetime as dt
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.orgs.services import api_token_create, user_create
org = Organisation.objects.create(
    code="bench-provider", name="Bench provider", kind=OrgKind.SERVICE_PROVIDER,
    provider_kind="isp", effective_from=dt.date(2022, 1, 1),
)
user = user_create(
    username="bench-provider", role=Role.PROVIDER_CONTACT, organisation=org,
    password=None, actor=None,
)
_token, raw = api_token_create(user, name="bench", actor=None)
print("TOKEN=" + raw)
"""


# The linker's work after the load (the worker's in production), timed in its process
# and in its PostgreSQL backend; then the chain is verified.
LINK = """
import os, time
from pathlib import Path
from django.db import connection
from childsafe.audit.services import audit_link_pending, audit_verify

def backend_cpu(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
cpu, pg, linked = time.process_time(), backend_cpu(pid), 0
while done := audit_link_pending():
    linked += done
cpu, pg = time.process_time() - cpu, backend_cpu(pid) - pg
per = 1000 / max(linked, 1)
problems = audit_verify()
print(
    f"audit: {linked} submission events linked into the chain afterwards;"
    f" CPU per event: linker {cpu * per:.2f} ms, PostgreSQL {pg * per:.2f} ms;"
    f" audit verify: {'intact' if not problems else f'{len(problems)} problems'}"
)
"""


@dataclass
class Phase:
    name: str
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)  # of 201 answers only
    errors: int = 0
    elapsed_secs: float = 0.0
    # CPU seconds used during the phase: gunicorn (all workers), PostgreSQL backends, client
    cpu_secs: dict[str, float] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def per_sec(self) -> float:
        return self.created / self.elapsed_secs if self.elapsed_secs else 0.0

    def percentile_ms(self, pct: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(pct / 100 * len(ordered))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--json-requests", type=int, default=3000)
    parser.add_argument("--image-requests", type=int, default=300)
    parser.add_argument("--max-secs", type=float, default=30.0, help="per phase")
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help="extra gunicorn options, passed in GUNICORN_CMD_ARGS (e.g. '--threads 4')",
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="no server: time N JSON submissions in one process (CPU and SQL per request)",
    )
    parser.add_argument("--in-process-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process_child:
        return _in_process_child(args.in_process_child)

    data_dir = Path(tempfile.mkdtemp(prefix="childsafe-bench-"))
    env = environment(args.database_url, data_dir)
    if args.gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = args.gunicorn_args
    server: subprocess.Popen[bytes] | None = None
    log = None
    try:
        recreate_database(args.database_url)
        run([CHILDSAFE, "migrate", "--noinput", "-v", "0"], env)
        run([CHILDSAFE, "createcachetable"], env)
        token = run([CHILDSAFE, "shell", "-c", SETUP], env).split("TOKEN=", 1)[1].strip()
        if args.in_process:
            child = [sys.executable, __file__, "--in-process-child", str(args.in_process)]
            print(run(child, {**env, "BENCH_TOKEN": token}), end="")
            return 0
        port = _free_port()
        log = (data_dir / "server.log").open("wb")
        server = subprocess.Popen(
            [
                CHILDSAFE,
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
        _wait_ready(port, server)
        print(
            f"server: childsafe serve --workers {args.workers}"
            + (f" (GUNICORN_CMD_ARGS={args.gunicorn_args!r})" if args.gunicorn_args else "")
        )
        print(
            f"client: {args.concurrency} threads, http.client, loopback; cores: {os.cpu_count()}"
        )

        image = _png_of_size(IMAGE_BYTES)
        database = urlsplit(args.database_url).path.lstrip("/")
        cpu = _CpuMeter(server.pid, database)
        warm_up = _drive(port, token, "warm-up", 50, args.concurrency, args.max_secs, None, cpu)
        phases = [
            _drive(
                port, token, "json", args.json_requests, args.concurrency, args.max_secs, None, cpu
            ),
            _drive(
                port,
                token,
                "image",
                args.image_requests,
                args.concurrency,
                args.max_secs,
                image,
                cpu,
            ),
        ]
        for phase in phases:
            _print_phase(phase)
        json_phase = phases[0]
        print(
            f"target (JSON, 2 cores): >= {TARGET_PER_SEC:.0f}/s with p99 < {TARGET_P99_MS:.0f} ms;"
            f" measured/target: throughput {json_phase.per_sec / TARGET_PER_SEC:.2f},"
            f" p99 {json_phase.percentile_ms(99) / TARGET_P99_MS:.2f}"
            f" ({'met' if _met(json_phase) else 'NOT met'})"
        )
        expected = warm_up.created + sum(p.created for p in phases)
        stored = _count_reports(args.database_url)
        print(f"database: {stored} reports stored for {expected} answers 201 (incl. warm-up)")
        print(run([CHILDSAFE, "shell", "--no-imports", "-c", LINK], env), end="")
        if any(s != 201 for p in [warm_up, *phases] for s in p.statuses) or any(
            p.errors for p in phases
        ):
            lines = (data_dir / "server.log").read_text(errors="replace").splitlines()
            print("server log, last lines other than 201 answers:")
            print("\n".join([line for line in lines if '" 201 ' not in line][-40:]))
        return 0 if stored == expected else 1
    finally:
        if server is not None:
            _stop(server)
        if log is not None:
            log.close()
        if not args.keep_db:
            drop_database(args.database_url)
        shutil.rmtree(data_dir, ignore_errors=True)


def _met(phase: Phase) -> bool:
    return phase.per_sec >= TARGET_PER_SEC and phase.percentile_ms(99) < TARGET_P99_MS


def _print_phase(phase: Phase) -> None:
    others = {s: n for s, n in phase.statuses.items() if s != 201}
    print(
        f"{phase.name:>5}: {phase.created} created in {phase.elapsed_secs:.1f} s"
        f" = {phase.per_sec:.0f}/s; p50 {phase.percentile_ms(50):.0f} ms,"
        f" p99 {phase.percentile_ms(99):.0f} ms"
        + (f"; other answers {others}" if others else "")
        + (f"; connection errors {phase.errors}" if phase.errors else "")
    )
    if phase.created and phase.cpu_secs:
        per_request = {k: 1000 * v / phase.created for k, v in phase.cpu_secs.items()}
        print(
            "       CPU per created report: "
            + ", ".join(f"{k} {v:.1f} ms" for k, v in per_request.items())
            + f"; total {sum(per_request.values()):.1f} ms"
            f" (the cores' ceiling: {1000 * (os.cpu_count() or 1) / sum(per_request.values()):.0f}/s)"
        )


# --- In process --------------------------------------------------------------------------


def _in_process_child(total: int) -> int:
    """Send ``total`` JSON submissions to Django's WSGI handler in this process; print the
    CPU per request of this process and of its PostgreSQL backend (/proc, 100 Hz ticks)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childsafe.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = WSGIHandler()
    token = os.environ["BENCH_TOKEN"]

    def submit() -> int:
        body, content_type = _body(None)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/reports",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []
        b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        return int(status[0].split()[0])

    def backend_cpu() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    for _ in range(50):  # warm-up: imports, connection, first queries
        assert submit() == 201
    with CaptureQueriesContext(connection) as queries:
        submit()
    statements = [q["sql"].split()[0] for q in queries.captured_queries]  # before it resets
    cpu, pg, started = time.process_time(), backend_cpu(), time.perf_counter()
    statuses = [submit() for _ in range(total)]
    wall = time.perf_counter() - started
    cpu, pg = time.process_time() - cpu, backend_cpu() - pg
    assert statuses == [201] * total, sorted(set(statuses))
    print(
        f"in process: {total} JSON submissions one after another;"
        f" CPU per request: Python {1000 * cpu / total:.2f} ms,"
        f" PostgreSQL {1000 * pg / total:.2f} ms; wall {1000 * wall / total:.2f} ms"
    )
    print(
        f"SQL statements per request: {len(statements)} ({' '.join(statements)}),"
        " and the connection's health check"
    )
    return 0


# --- Load ------------------------------------------------------------------------------


def _drive(
    port: int,
    token: str,
    name: str,
    total: int,
    concurrency: int,
    max_secs: float,
    image: bytes | None,
    cpu: _CpuMeter,
) -> Phase:
    """Send ``total`` submissions from ``concurrency`` threads, or stop at ``max_secs``."""
    phase = Phase(name)
    lock = threading.Lock()
    remaining = [total]
    deadline = time.monotonic() + max_secs

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while take():
            body, content_type = _body(image)
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Idempotency-Key": str(uuid.uuid4()),
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/reports", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                with lock:
                    phase.errors += 1
                continue
            elapsed_ms = (time.perf_counter() - started) * 1000
            with lock:
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                if status == 201:
                    phase.latencies_ms.append(elapsed_ms)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    cpu_before = cpu.sample()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.elapsed_secs = time.monotonic() - started
    cpu_after = cpu.sample()
    phase.cpu_secs = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    return phase


class _CpuMeter:
    """CPU seconds used so far by the server's process group, by the PostgreSQL backends
    of the benchmark database, and by this client (from /proc; empty elsewhere).

    Backends that ended during a phase are not counted (connections persist here)."""

    def __init__(self, server_pgid: int, database: str) -> None:
        self.server_pgid = server_pgid
        self.database = database
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def sample(self) -> dict[str, float]:
        proc = Path("/proc")
        if not proc.is_dir():
            return {}
        totals = {"server": 0.0, "postgres": 0.0}
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            pgrp, used = int(fields[2]), (int(fields[11]) + int(fields[12])) / self.tick
            if pgrp == self.server_pgid:
                totals["server"] += used
            elif cmdline.startswith(b"postgres: ") and f" {self.database} ".encode() in cmdline:
                totals["postgres"] += used
        times = os.times()
        totals["client"] = times.user + times.system
        return totals


def _body(image: bytes | None) -> tuple[bytes, str]:
    """One report: a unique URL, some text, and the image (multipart) if given."""
    fields = {
        "category": "grooming",
        "urls": [f"https://example.com/u/{uuid.uuid4().hex}?utm_source=x"],
        "platform": "Example",
        "description": "Một tài khoản lạ nhắn tin làm quen và đòi gửi ảnh. " * 4,
        "child_age_group": "11_15",
        "reporter_relation": "organisation",
        "consent_given": True,
    }
    if image is None:
        return json.dumps(fields).encode(), "application/json"
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            text = "true" if item is True else str(item)
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{text}\r\n".encode()
            )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="shot.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
    )
    out.write(image)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _png_of_size(size: int) -> bytes:
    """A valid PNG of about ``size`` bytes (random pixels do not compress)."""
    from PIL import Image

    side = int((size / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# --- Server and database -----------------------------------------------------------------


def _count_reports(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM reports_report").fetchone()
    return int(row[0]) if row else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout_secs: float = 60) -> None:
    deadline = time.monotonic() + timeout_secs
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer /healthz in time")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (gunicorn and its workers), then SIGKILL."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
