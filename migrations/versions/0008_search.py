"""full-text search over posts and comments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

SQLite: FTS5 tables over the posts' and comments' own columns (external content), kept in step by
triggers, so every write that changes a text changes the index in the same transaction, however
it is made (ORM, bulk UPDATE/DELETE, a cascade). PostgreSQL: GIN indexes over the tsvector of the
same columns, which the database keeps in step by itself. community/search/schema.py names these
objects for the migration check; community/search/query.py reads them.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TOKENIZER = "porter unicode61 remove_diacritics 2"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE search_posts USING fts5(title, body_markdown, content='posts', content_rowid='id', "
    f"tokenize='{TOKENIZER}')",
    """CREATE TRIGGER search_posts_insert AFTER INSERT ON posts BEGIN
         INSERT INTO search_posts(rowid, title, body_markdown) VALUES (new.id, new.title, new.body_markdown);
       END""",
    """CREATE TRIGGER search_posts_delete AFTER DELETE ON posts BEGIN
         INSERT INTO search_posts(search_posts, rowid, title, body_markdown)
           VALUES ('delete', old.id, old.title, old.body_markdown);
       END""",
    """CREATE TRIGGER search_posts_update AFTER UPDATE OF title, body_markdown ON posts BEGIN
         INSERT INTO search_posts(search_posts, rowid, title, body_markdown)
           VALUES ('delete', old.id, old.title, old.body_markdown);
         INSERT INTO search_posts(rowid, title, body_markdown) VALUES (new.id, new.title, new.body_markdown);
       END""",
    "INSERT INTO search_posts(search_posts) VALUES ('rebuild')",
    f"CREATE VIRTUAL TABLE search_comments USING fts5(body_markdown, content='comments', content_rowid='id', "
    f"tokenize='{TOKENIZER}')",
    """CREATE TRIGGER search_comments_insert AFTER INSERT ON comments BEGIN
         INSERT INTO search_comments(rowid, body_markdown) VALUES (new.id, new.body_markdown);
       END""",
    """CREATE TRIGGER search_comments_delete AFTER DELETE ON comments BEGIN
         INSERT INTO search_comments(search_comments, rowid, body_markdown) VALUES ('delete', old.id, old.body_markdown);
       END""",
    """CREATE TRIGGER search_comments_update AFTER UPDATE OF body_markdown ON comments BEGIN
         INSERT INTO search_comments(search_comments, rowid, body_markdown) VALUES ('delete', old.id, old.body_markdown);
         INSERT INTO search_comments(rowid, body_markdown) VALUES (new.id, new.body_markdown);
       END""",
    "INSERT INTO search_comments(search_comments) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_comments_update",
    "DROP TRIGGER IF EXISTS search_comments_delete",
    "DROP TRIGGER IF EXISTS search_comments_insert",
    "DROP TABLE IF EXISTS search_comments",
    "DROP TRIGGER IF EXISTS search_posts_update",
    "DROP TRIGGER IF EXISTS search_posts_delete",
    "DROP TRIGGER IF EXISTS search_posts_insert",
    "DROP TABLE IF EXISTS search_posts",
]

# The expressions must be written exactly so in the queries for the planner to use the indexes.
POSTGRESQL_UP = [
    "CREATE INDEX ix_posts_search ON posts USING gin ("
    "(setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, body_markdown), 'B')))",
    # Only what everyone may read is worth indexing: approved comments not deleted by their author.
    "CREATE INDEX ix_comments_search ON comments USING gin (to_tsvector('english'::regconfig, body_markdown)) "
    "WHERE status = 'approved' AND deleted_at IS NULL",
]
POSTGRESQL_DOWN = ["DROP INDEX IF EXISTS ix_comments_search", "DROP INDEX IF EXISTS ix_posts_search"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRESQL_UP)
    else:
        _run(SQLITE_UP)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRESQL_DOWN)
    else:
        _run(SQLITE_DOWN)
