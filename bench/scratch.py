"""What the benchmarks share: a scratch PostgreSQL database and the production-like
environment they start the app in (``DEBUG=false``, random keys)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CHILDSAFE_DATA_KEY": Fernet.generate_key().decode(),
        "CHILDSAFE_DEMO": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CHILDSAFE_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }


def run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(argv[:2])} failed:\n{done.stderr}")
    return done.stdout


def _admin_connection(database_url: str) -> tuple[Any, str]:
    import psycopg

    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin_url, autocommit=True), parts.path.lstrip("/")


def recreate_database(database_url: str) -> None:
    from psycopg import sql

    conn, name = _admin_connection(database_url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str) -> None:
    from psycopg import sql

    conn, name = _admin_connection(database_url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
