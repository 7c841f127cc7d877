"""With DEBUG off, settings refuse to start on demo or missing secrets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from childsafe.lib.crypto import generate_key

SETUP = "import django; django.setup(); print('started')"
CLEARED = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "CHILDSAFE_DATA_KEY",
    "CHILDSAFE_DATA_KEY_FILE",
    "CHILDSAFE_DEMO",
    "STATIC_ROOT",
)


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="childsafe.settings",
        CHILDSAFE_DATA_DIR=str(tmp_path),
        DEBUG="false",
        SECRET_KEY="a-private-secret-for-this-test-only-0123456789",
        ALLOWED_HOSTS="childsafe.example.vn",
        CHILDSAFE_DATA_KEY=generate_key(),
        CHILDSAFE_DEMO="false",
    )
    return env


def start(env):
    return subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=60
    )


def test_it_starts_when_everything_is_set(production_env):
    result = start(production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "started\n"


def test_it_reads_the_secrets_from_files(production_env, tmp_path):
    for name in ("SECRET_KEY", "CHILDSAFE_DATA_KEY"):
        path = tmp_path / name.lower()
        path.write_text(production_env.pop(name) + "\n", encoding="utf-8")
        production_env[f"{name}_FILE"] = str(path)
    result = start(production_env)
    assert result.returncode == 0, result.stderr


def test_it_refuses_the_demo_secret_key(production_env):
    production_env["SECRET_KEY"] = "demo-insecure-secret-key-do-not-use-in-production"
    result = start(production_env)
    assert result.returncode != 0
    assert "ConfigError: SECRET_KEY must be set" in result.stderr


def test_it_refuses_empty_allowed_hosts(production_env):
    production_env["ALLOWED_HOSTS"] = ""
    result = start(production_env)
    assert result.returncode != 0
    assert "ConfigError: ALLOWED_HOSTS must be set" in result.stderr


def test_it_refuses_a_missing_data_key(production_env):
    del production_env["CHILDSAFE_DATA_KEY"]
    result = start(production_env)
    assert result.returncode != 0
    assert "ConfigError: CHILDSAFE_DATA_KEY must be set" in result.stderr


def test_it_refuses_the_demo_data_key(production_env):
    production_env["CHILDSAFE_DATA_KEY"] = "ZGVtby1kYXRhLWtleS1kby1ub3QtdXNlLWluLXByb2Q="
    result = start(production_env)
    assert result.returncode != 0
    assert "CHILDSAFE_DATA_KEY" in result.stderr


def test_it_refuses_demo_mode(production_env):
    production_env["CHILDSAFE_DEMO"] = "true"
    result = start(production_env)
    assert result.returncode != 0
    assert "CHILDSAFE_DEMO must be false" in result.stderr
