"""deploy/ agrees with itself and with the app: the web unit binds where nginx proxies, runs files
that exist, the body limit is the app's, the mail worker is the app's command, and the example
environment names only documented settings."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from community.config import security_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def exec_start(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def test_the_web_unit_serves_where_nginx_proxies():
    command = exec_start("community-web.service")
    bind = command[command.index("--bind") + 1]
    upstream = re.search(r"upstream community_app \{\s*server ([^;]+);", (DEPLOY / "nginx.conf").read_text()).group(1)
    assert bind == upstream
    assert command[-1] == "wsgi:app" and (ROOT / "wsgi.py").exists()
    assert (ROOT / command[command.index("--config") + 1]).exists()


def test_nginx_limits_bodies_as_the_app_does(monkeypatch):
    monkeypatch.delenv("MAX_CONTENT_LENGTH", raising=False)
    size = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx.conf").read_text()).group(1)
    assert int(size) * 1024 * 1024 == security_settings()["MAX_CONTENT_LENGTH"]


def test_the_mail_unit_runs_the_apps_mail_worker(app):
    assert exec_start("community-mail.service")[1:] == ["--app", "wsgi", "mail-worker"]
    if "mail-worker" not in app.cli.commands:
        pytest.skip("the mail worker (issue 12) is not in this checkout yet")


def test_both_units_read_the_same_settings():
    web, mail = unit("community-web.service")["Service"], unit("community-mail.service")["Service"]
    assert web["EnvironmentFile"] == mail["EnvironmentFile"]
    assert web["WorkingDirectory"] == mail["WorkingDirectory"]


def test_the_example_environment_names_only_documented_settings():
    readme = (ROOT / "README.md").read_text()
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "community.env").read_text(), flags=re.MULTILINE)
    assert names and [name for name in names if f"`{name}`" not in readme] == []
