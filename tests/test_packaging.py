"""The built wheel is the product: installed from it, the site has its templates and `flask db upgrade`
builds the schema, with no checkout beside it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from the checkout (hatchling from the dev extras; no index needed)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    [built] = out.glob("community-*.whl")
    return built


def test_the_wheel_carries_the_templates_and_every_migration(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "community/templates/base.html" in names
    for required in ("env.py", "alembic.ini", "script.py.mako"):
        assert f"community/migrations/{required}" in names
    revisions = {f"community/migrations/versions/{path.name}" for path in (ROOT / "migrations" / "versions").glob("*.py")}
    assert revisions and revisions <= names


def test_flask_db_upgrade_works_from_the_installed_wheel_alone(wheel, tmp_path):
    installed = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(installed)
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),  # ahead of the checkout's editable install
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "packaging test, not for production",
    }
    env.pop("FLASK_APP", None)
    where = subprocess.run([sys.executable, "-c", "import community; print(community.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(installed))
    upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "community:create_app", "db", "upgrade"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "posts", "comments", "alembic_version"} <= tables
