"""The full-text index's objects, made by migration 0008: SQLite FTS5 tables kept in step by triggers,
or PostgreSQL GIN indexes over tsvector expressions. Neither is a model, so the migration check and
autogenerate are told to leave them alone (`include_object`); `rebuild` and `check` maintain them."""

from __future__ import annotations

import sqlalchemy as sa

from community.extensions import db

SQLITE_TABLES = ("search_posts", "search_comments")  # FTS5, with their shadow tables search_posts_data, ...
POSTGRESQL_INDEXES = ("ix_posts_search", "ix_comments_search")

# The indexed expressions on PostgreSQL, written exactly as the indexes are, so the planner uses them.
POST_VECTOR = ("(setweight(to_tsvector('english'::regconfig, posts.title), 'A') || "
               "setweight(to_tsvector('english'::regconfig, posts.body_markdown), 'B'))")
COMMENT_VECTOR = "to_tsvector('english'::regconfig, comments.body_markdown)"


def is_search_object(name: str | None, type_: str) -> bool:
    """One of the index's tables (or FTS5 shadow tables) or indexes."""
    if not name:
        return False
    if type_ == "table":
        return any(name == table or name.startswith(f"{table}_") for table in SQLITE_TABLES)
    return type_ == "index" and name in POSTGRESQL_INDEXES


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter before reflection: the index's tables are not the models'."""
    return not is_search_object(name, type_)


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the index's objects, found in the database and absent from the models, stay."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


def rebuild() -> None:
    """Build the index again from the tables (`flask search-rebuild`): after a restore that bypassed
    the triggers, or to compact it."""
    if db.session.get_bind().dialect.name == "postgresql":
        for index in POSTGRESQL_INDEXES:
            db.session.execute(sa.text(f"REINDEX INDEX {index}"))
        return
    for table in SQLITE_TABLES:
        db.session.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))


def check() -> None:
    """Raise if the SQLite index disagrees with its tables (FTS5's integrity-check); PostgreSQL's
    indexes cannot disagree."""
    if db.session.get_bind().dialect.name == "postgresql":
        return
    for table in SQLITE_TABLES:
        db.session.execute(sa.text(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"))
