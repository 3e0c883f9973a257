"""Search over published posts and public comments: one function (query.py) over the database's own
full-text index (SQLite FTS5 or PostgreSQL tsvector + GIN, schema.py), and its page (views.py)."""
