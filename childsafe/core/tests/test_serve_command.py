"""`childsafe serve` starts gunicorn, which answers on the address it was given."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_serves_the_app_with_gunicorn(tmp_path):
    port = _free_port()
    # A throw-away SQLite database, whatever database the suite runs on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CHILDSAFE_DATA_DIR"] = str(tmp_path)
    cli = Path(sys.executable).with_name("childsafe")
    subprocess.run([str(cli), "migrate", "-v", "0"], env=env, check=True, timeout=120)
    proc = subprocess.Popen(
        [str(cli), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "the server never answered"
        assert body["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200
            assert r.headers["Content-Language"] == "vi"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert b"gunicorn" in out.lower()


def test_it_refuses_an_unknown_option():
    cli = Path(sys.executable).with_name("childsafe")
    result = subprocess.run(
        [str(cli), "serve", "--no-such-option"], capture_output=True, timeout=60
    )
    assert result.returncode != 0
    assert b"unrecognized arguments" in result.stderr
