"""``childsafe dnsfilter``: arguments, the Django-free dispatch, and the whole service."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from childsafe.dnsfilter.main import Config, parse_address, parse_args, serve
from childsafe.dnsfilter.sync import POLICY_FILE
from childsafe.dnsfilter.tests.test_sync import SCHOOL, TOKEN, unreachable
from childsafe.dnsfilter.tests.test_sync import central as central  # the fixture

GOOD = ["--upstream", "1.1.1.1:53", "--server", "https://province.example", "--school", "12"]


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    for name in ("LISTEN", "UPSTREAM", "SERVER", "TOKEN", "TOKEN_FILE", "SCHOOL", "STATE_DIR"):
        monkeypatch.delenv(f"CHILDSAFE_DNSFILTER_{name}", raising=False)


def test_addresses_take_any_host_and_port():
    assert parse_address("0.0.0.0:53") == ("0.0.0.0", 53)
    assert parse_address("[::]:5353") == ("::", 5353)
    assert parse_address("::1") == ("::1", 53)
    assert parse_address("10.0.0.1") == ("10.0.0.1", 53)
    for bad in ("dns.example:53", "1.2.3.4:99999", "[::1", "1.2.3.4:x"):
        with pytest.raises(ValueError):
            parse_address(bad)


def test_a_full_command_line(tmp_path):
    config = parse_args(
        [
            *GOOD,
            "--listen",
            "0.0.0.0:53",
            "--listen",
            "[::]:53",
            "--upstream",
            "8.8.8.8:53",
            "--token",
            "cs_x",
            "--state-dir",
            str(tmp_path),
            "--sync-secs",
            "60",
        ]
    )
    assert config.listen == [("0.0.0.0", 53), ("::", 53)]
    assert config.upstreams == [("1.1.1.1", 53), ("8.8.8.8", 53)]
    assert (config.school, config.token, config.state_dir) == (12, "cs_x", tmp_path)
    assert (config.sync_secs, config.stats_secs) == (60.0, 900.0)


def test_environment_variables_stand_for_options(monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("cs_from_file\n")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_LISTEN", "10.0.0.1:53, [fd00::1]:53")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_UPSTREAM", "9.9.9.9:53")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_SERVER", "https://province.example")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_SCHOOL", "7")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_TOKEN_FILE", str(token_file))
    config = parse_args([])
    assert config.listen == [("10.0.0.1", 53), ("fd00::1", 53)]
    assert config.upstreams == [("9.9.9.9", 53)]
    assert (config.school, config.token) == (7, "cs_from_file")
    monkeypatch.setenv("CHILDSAFE_DNSFILTER_TOKEN", "cs_env")
    assert parse_args(["--school", "8"]).school == 8  # the command line wins
    assert parse_args([]).token == "cs_env"


BAD_ARGUMENTS = {
    "no upstream": (["--server", "https://p.example", "--school", "1"], "--upstream"),
    "bad listen": ([*GOOD, "--token", "t", "--listen", "localhost:53"], "--listen"),
    "bad upstream": ([*GOOD, "--token", "t", "--upstream", "1.1.1.1:70000"], "--upstream"),
    "no server": (["--upstream", "1.1.1.1", "--school", "1", "--token", "t"], "--server"),
    "bad server": ([*GOOD, "--token", "t", "--server", "ftp://p.example"], "--server"),
    "no token": (GOOD, "token is required"),
    "bad school": ([*GOOD, "--token", "t", "--school", "abc"], "--school"),
    "bad interval": ([*GOOD, "--token", "t", "--sync-secs", "1"], "--sync-secs"),
    "unknown option": ([*GOOD, "--token", "t", "--frobnicate"], "unrecognized"),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS)
def test_argument_errors_give_a_message_and_exit_code_2(capsys, case):
    argv, message = BAD_ARGUMENTS[case]
    with pytest.raises(SystemExit) as exit:
        parse_args(argv)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "childsafe dnsfilter" in err and message in err


def test_the_command_runs_without_django(tmp_path):
    """``childsafe dnsfilter`` goes to the service before any Django setup."""
    code = (
        "import sys\n"
        "from childsafe.cli import main\n"
        "try:\n"
        "    main(['childsafe', 'dnsfilter', '--listen', 'nowhere'])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, 'django' in sys.modules, 'DJANGO_SETTINGS_MODULE' in __import__('os').environ)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout.split() == ["2", "False", "False"], result.stderr
    assert "--listen" in result.stderr


def test_the_packet_path_and_sync_import_no_django():
    code = (
        "import sys, childsafe.dnsfilter.main, childsafe.dnsfilter.sync\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


def run_service(config: Config, on_started):
    """Run ``serve`` in a thread; returns (stop, thread, the started event)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, asyncio.Event] = {}

    def started(server, sync):
        on_started(server, sync)
        ready.set()

    async def main() -> None:
        holder["stop"] = asyncio.Event()
        await serve(config, holder["stop"], started=started)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)

    def stop() -> None:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(15)
        loop.close()

    return stop


def config_for(url: str, state_dir: Path, upstream) -> Config:
    return Config(
        listen=[("127.0.0.1", 0)],
        upstreams=[upstream.address],
        server=url,
        token=TOKEN,
        school=SCHOOL,
        state_dir=state_dir,
        sync_secs=300,
        stats_secs=300,
    )


def ask(address, name):
    query = dns.message.make_query(name, "A")
    return dns.query.udp(query, address[0], port=address[1], timeout=3)


def wait_for(predicate, secs=10.0):
    deadline = time.monotonic() + secs
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_service_downloads_saves_filters_and_uploads_at_stop(
    tmp_path, document, upstream, central
):
    central.document = document
    upstream.add("fine.example", "A", "192.0.2.7")
    got = {}
    stop = run_service(
        config_for(central.url, tmp_path, upstream), lambda s, y: got.update(server=s, sync=y)
    )
    try:
        wait_for(lambda: (tmp_path / POLICY_FILE).exists())
        address = got["server"].addresses[0]
        assert ask(address, "adult.example").rcode() == dns.rcode.NXDOMAIN
        assert ask(address, "fine.example").rcode() == dns.rcode.NOERROR
    finally:
        stop()
    assert json.loads((tmp_path / POLICY_FILE).read_text())["version"] == "v1"
    (upload,) = central.uploads  # the last counts, sent at the stop
    assert {(h["tier"], h["outcome"], h["count"]) for h in upload["hours"]} == {
        ("primary", "adult", 1),
        ("primary", "forward", 1),
    }
    assert [d["domain"] for d in upload["top_blocked"]] == ["adult.example"]


def test_the_service_starts_from_the_saved_policy_when_offline(tmp_path, document, upstream):
    (tmp_path / POLICY_FILE).write_text(json.dumps(document))
    got = {}
    stop = run_service(
        config_for(unreachable(), tmp_path, upstream), lambda s, y: got.update(server=s, sync=y)
    )
    try:
        address = got["server"].addresses[0]
        assert ask(address, "casino.example").rcode() == dns.rcode.NXDOMAIN
        wait_for(lambda: got["sync"].failures.count >= 1)
        assert ask(address, "casino.example").rcode() == dns.rcode.NXDOMAIN
    finally:
        stop()
