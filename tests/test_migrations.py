"""The schema comes only from migrations, and they agree with the models on every database."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from community import create_app
from community.extensions import db
from community.search.schema import include_name, include_object
from tests.conftest import is_postgres, scratch_postgres_database, test_config


@pytest.fixture
def empty_database_url(database_url: str, tmp_path):
    """A brand-new database of the same kind as the suite's."""
    if not is_postgres(database_url):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgres_database(database_url, "community_migrations") as url:
        yield url


def test_upgrading_an_empty_database_matches_the_models(empty_database_url):
    app = create_app(test_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name, "include_object": include_object})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_downgrade_to_base_removes_every_table(empty_database_url):
    app = create_app(test_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert tables == set()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}"))
    with app.app_context():
        with db.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        db.engine.dispose()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy_timeout > 0
