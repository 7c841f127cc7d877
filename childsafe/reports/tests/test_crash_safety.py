"""A server killed with SIGKILL in the middle of a load loses no acknowledged report and
leaves no half-made one.

The server runs the production way (``childsafe serve``: gunicorn, ``DEBUG=false``) in
a process group of its own, on a database of its own: SQLite in a temporary data folder,
or, when the suite runs with ``DATABASE_URL`` pointing at PostgreSQL, a database this
test creates and drops next to (never inside) the test database. Threads submit reports
with URLs and evidence files; once some have been answered, the whole process group gets
SIGKILL. The test then reads the server's database directly (raw SQL, decrypting with
the data key it gave the server) and checks that:

- every report answered ``201`` is stored;
- every stored report came from a request sent, and carries exactly that request's URLs
  and files, each file with its encrypted blob, whose plaintext has the SHA-256 sent;
- each stored report has its ``report.submit`` audit event (same transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from childsafe.testing import image_bytes

CHILDSAFE = str(Path(sys.executable).parent / "childsafe")
THREADS = 4
ANSWERS_BEFORE_KILL = 12  # 201s to wait for before the kill
MAX_REQUESTS_PER_THREAD = 200  # a bound, should the kill never come
LOAD_TIMEOUT_SECS = 30


@dataclass
class Sent:
    """What one request carried, keyed by the marker written in its description."""

    urls: int
    file_sha256: list[str]
    tracking_code: str = ""  # set when the answer was 201


@dataclass
class Load:
    sent: dict[str, Sent] = field(default_factory=dict)
    created: int = 0
    other_statuses: list[int] = field(default_factory=list)
    threads_cut_off: int = 0  # threads whose last request failed on the dead server
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- The server's database ---------------------------------------------------------------


@pytest.fixture
def server_database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite in ``tmp_path``; or a fresh PostgreSQL database when the suite runs on one."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    base = os.environ["DATABASE_URL"]
    name = f"childsafe_crash_{secrets.token_hex(4)}"
    admin_url = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def query(database_url: str, sql_text: str) -> list[tuple[Any, ...]]:
    if database_url.startswith("sqlite:///"):
        lite = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return lite.execute(sql_text).fetchall()
        finally:
            lite.close()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql_text).fetchall()


# --- The server ----------------------------------------------------------------------------


def server_environment(database_url: str, data_dir: Path, data_key: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CHILDSAFE_DATA_KEY": data_key,
        "CHILDSAFE_DEMO": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CHILDSAFE_DATA_DIR": str(data_dir),
        "REPORT_SUBMIT_RATE_PER_HOUR": "0",  # anonymous API calls, no rate limit
        "LOG_LEVEL": "WARNING",
    }


def start_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``childsafe serve`` on a loopback socket bound here (port 0), handed to gunicorn."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [CHILDSAFE, "serve", "--bind", f"fd://{listener.fileno()}", "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
            start_new_session=True,  # a process group of its own: the kill takes all of it
        )
    listener.close()  # gunicorn holds its own copy
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, f"server exited:\n{log_path.read_text()[-3000:]}"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    pytest.fail(f"server did not answer /healthz:\n{log_path.read_text()[-3000:]}")


# --- The load ------------------------------------------------------------------------------


def multipart(fields: list[tuple[str, str]], files: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    for number, content in enumerate(files):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="shot-{number}.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit_until_refused(port: int, load: Load, stop: threading.Event, seed: int) -> None:
    """Send reports one after another until the server stops answering."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for number in range(MAX_REQUESTS_PER_THREAD):
        if stop.is_set():
            return
        marker = uuid.uuid4().hex
        urls = [f"https://example.com/{marker}/{n}" for n in range(1 + number % 3)]
        # Distinct pictures (size and colour vary), so that every file has its own SHA-256.
        files = [
            image_bytes("PNG", size=(16 + seed, 8 + (number * 3 + n) % 200))
            for n in range(1 + number % 2)
        ]
        body, content_type = multipart(
            [
                ("category", "cyberbullying"),
                ("description", f"crash-test {marker}"),
                *[("urls", url) for url in urls],
            ],
            files,
        )
        with load.lock:
            load.sent[marker] = Sent(len(urls), [hashlib.sha256(f).hexdigest() for f in files])
        try:
            conn.request(
                "POST", "/api/v1/reports", body=body, headers={"Content-Type": content_type}
            )
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            with load.lock:
                load.threads_cut_off += 1
            return
        with load.lock:
            if response.status == 201:
                load.sent[marker].tracking_code = json.loads(answer)["tracking_code"]
                load.created += 1
            else:
                load.other_statuses.append(response.status)


def test_sigkill_mid_load_loses_no_acknowledged_report_and_leaves_none_half_made(
    tmp_path: Path, server_database_url: str
) -> None:
    data_key = Fernet.generate_key().decode()
    env = server_environment(server_database_url, tmp_path, data_key)
    migrated = subprocess.run(
        [CHILDSAFE, "migrate", "--noinput", "-v", "0"], env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    server, port = start_server(env, tmp_path / "server.log")

    load = Load()
    stop = threading.Event()
    threads = [
        threading.Thread(target=submit_until_refused, args=(port, load, stop, seed))
        for seed in range(THREADS)
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + LOAD_TIMEOUT_SECS
        while load.created < ANSWERS_BEFORE_KILL and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.01)
        assert load.created >= ANSWERS_BEFORE_KILL, (
            f"only {load.created} reports answered in {LOAD_TIMEOUT_SECS} s"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone already: the assert above says why
            os.killpg(server.pid, signal.SIGKILL)  # gunicorn's master and workers, mid-request
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert load.other_statuses == [], (tmp_path / "server.log").read_text()[-3000:]
    assert load.threads_cut_off >= 1, "the kill should have cut off the load"

    cipher = Fernet(data_key.encode())

    def decrypt_text(stored: str) -> str:
        return cipher.decrypt(stored.removeprefix("enc1:").encode()).decode()

    reports = {
        decrypt_text(description).removeprefix("crash-test "): (report_id, code)
        for report_id, code, description in query(
            server_database_url,
            "SELECT id, tracking_code, description FROM reports_report",
        )
    }
    url_counts = dict(
        query(
            server_database_url,
            "SELECT report_id, count(*) FROM reports_reporturl GROUP BY report_id",
        )
    )
    files: dict[int, list[tuple[str, bytes | None]]] = {}
    for report_id, sha256, ciphertext in query(
        server_database_url,
        "SELECT f.report_id, f.sha256, b.ciphertext FROM reports_evidencefile f"
        " LEFT JOIN reports_evidenceblob b ON b.file_id = f.id ORDER BY f.id",
    ):
        files.setdefault(report_id, []).append((sha256, ciphertext))
    audited = {
        object_id
        for (object_id,) in query(
            server_database_url,
            "SELECT object_id FROM audit_auditevent WHERE action = 'report.submit'",
        )
    }

    acknowledged = {m: s.tracking_code for m, s in load.sent.items() if s.tracking_code}
    assert len(acknowledged) == load.created
    missing = {m: code for m, code in acknowledged.items() if reports.get(m, (0, ""))[1] != code}
    assert missing == {}, "reports answered 201 but not in the database"
    assert set(reports) <= set(load.sent), "a stored report matches no request sent"
    for marker, (report_id, _code) in reports.items():
        sent = load.sent[marker]
        assert url_counts.get(report_id, 0) == sent.urls, f"report {report_id}: URLs"
        stored_files = files.get(report_id, [])
        assert [sha for sha, _ in stored_files] == sent.file_sha256, f"report {report_id}: files"
        for sha256, ciphertext in stored_files:
            assert ciphertext is not None, f"report {report_id}: a file without its blob"
            assert hashlib.sha256(cipher.decrypt(bytes(ciphertext))).hexdigest() == sha256
        assert str(report_id) in audited, f"report {report_id}: no audit event"
    # Reports that committed after their answer was lost are fine (a retry with an
    # Idempotency-Key finds them); but the kill came mid-load, with answers already given.
    assert len(reports) >= load.created
