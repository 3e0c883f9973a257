"""Settings come from the environment or instance/, never from code."""

from __future__ import annotations

import stat

import pytest

from community import create_app
from community.config import load_secret_key


def test_secret_key_is_generated_into_instance_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    second = load_secret_key(tmp_path)
    key_file = tmp_path / "secret_key"
    assert first == second and len(first) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("SITE_NAME", "Kind Words")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "k")
    app = create_app()
    assert app.config["SITE_NAME"] == "Kind Words"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")


@pytest.mark.parametrize("value", ["0", "11", "five"])
def test_out_of_range_setting_fails_at_start(monkeypatch, value):
    monkeypatch.setenv("THREAD_DEPTH", value)
    with pytest.raises(RuntimeError, match="THREAD_DEPTH"):
        create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_an_https_site_refuses_a_generated_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set in the environment"):
        load_secret_key(tmp_path, "https://community.example")
    assert not (tmp_path / "secret_key").exists()
    assert load_secret_key(tmp_path, "http://127.0.0.1:5000")  # a development server may generate one
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(tmp_path, "https://community.example") == "from-the-environment"
