from __future__ import annotations

import pytest

from childsafe.lib.env import ConfigError, env_bool, env_int, env_list, env_secret, env_str


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("false", False), ("TRUE", True), (" False ", False)]
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, value):
    monkeypatch.setenv("CS_FLAG", raw)
    assert env_bool("CS_FLAG", not value) is value


@pytest.mark.parametrize("raw", ["1", "0", "yes", "no", "on", "off", "t", "truthy"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("CS_FLAG", raw)
    with pytest.raises(ConfigError, match=r"CS_FLAG must be 'true' or 'false'"):
        env_bool("CS_FLAG", False)


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_falls_back_when_unset_or_empty(monkeypatch, default):
    monkeypatch.delenv("CS_FLAG", raising=False)
    assert env_bool("CS_FLAG", default) is default
    monkeypatch.setenv("CS_FLAG", "")
    assert env_bool("CS_FLAG", default) is default


def test_env_int_reads_integers(monkeypatch):
    monkeypatch.setenv("CS_NUMBER", "-42")
    assert env_int("CS_NUMBER", 0) == -42


def test_env_int_falls_back_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("CS_NUMBER", raising=False)
    assert env_int("CS_NUMBER", 7) == 7
    monkeypatch.setenv("CS_NUMBER", "")
    assert env_int("CS_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["abc", "1.5", "10s"])
def test_env_int_refuses_other_text(monkeypatch, raw):
    monkeypatch.setenv("CS_NUMBER", raw)
    with pytest.raises(ConfigError, match=f"CS_NUMBER must be an integer, not '{raw}'"):
        env_int("CS_NUMBER", 0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("CS_HOSTS", " a.example , ,b.example,")
    assert env_list("CS_HOSTS") == ["a.example", "b.example"]


def test_env_list_falls_back_only_when_unset(monkeypatch):
    monkeypatch.delenv("CS_HOSTS", raising=False)
    assert env_list("CS_HOSTS", ["x"]) == ["x"]
    assert env_list("CS_HOSTS") == []
    monkeypatch.setenv("CS_HOSTS", "")
    assert env_list("CS_HOSTS", ["x"]) == []


def test_env_str_reads_or_falls_back(monkeypatch):
    monkeypatch.setenv("CS_TEXT", "xin chào")
    assert env_str("CS_TEXT") == "xin chào"
    monkeypatch.delenv("CS_TEXT")
    assert env_str("CS_TEXT", "default") == "default"


def test_env_secret_reads_the_variable(monkeypatch):
    monkeypatch.delenv("CS_SECRET_FILE", raising=False)
    monkeypatch.setenv("CS_SECRET", "s3cret")
    assert env_secret("CS_SECRET") == "s3cret"


def test_env_secret_prefers_the_file_and_strips_it(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("CS_SECRET", "from-variable")
    monkeypatch.setenv("CS_SECRET_FILE", str(secret))
    assert env_secret("CS_SECRET") == "from-file"


def test_env_secret_refuses_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CS_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="CS_SECRET_FILE points to an unreadable file"):
        env_secret("CS_SECRET")


def test_env_secret_falls_back(monkeypatch):
    monkeypatch.delenv("CS_SECRET", raising=False)
    monkeypatch.delenv("CS_SECRET_FILE", raising=False)
    assert env_secret("CS_SECRET", "fallback") == "fallback"
