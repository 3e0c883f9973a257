"""Large, realistic discussions for benchmarks: `flask --app wsgi seed-discussion --comments N`.

Rows go in with bulk INSERTs (ids chosen here, so a comment's path is known before it is
written) and every counter is set from the same data, so `recount` finds nothing to mend."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from community import text
from community.extensions import db
from community.models import Comment, CommentLike, CommentStatus, Post, PostLike, PostStatus, Role, User
from community.models.base import utcnow
from community.models.comment import path_segment
from community.services.accounts import hash_password

MAX_DEPTH = 5
_WORDS = (
    "friend letter drift distance remember summer city call silence laugh years kitchen train "
    "promise photo birthday message forgive change habit walk coffee music night honest small "
    "kind quiet again still maybe almost always never wrote answered missed kept lost found"
).split()


@dataclass
class SeedReport:
    post_paths: list[str]
    comments: int
    users: int
    a_reader: str


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def _bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A pool of (Markdown, HTML) bodies, rendered once, some with emphasis, quotes or links."""
    pool = []
    for number in range(count):
        paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        if number % 7 == 0:
            paragraphs[0] = f"*{paragraphs[0]}*"
        if number % 11 == 0:
            paragraphs.insert(0, "> " + _sentence(rng))
        if number % 13 == 0:
            paragraphs.append("More at https://example.org/notes")
        markdown = "\n\n".join(paragraphs)
        pool.append((markdown, text.render_comment(markdown)))
    return pool


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _seed_users(rng: random.Random, count: int, tag: str, password_hash: str) -> list[int]:
    # One hash for all the accounts of a seeding: its speed, not their security, matters here.
    first_id = _next_id(User)
    rows = [
        {"id": first_id + n, "username": f"{tag}{n}", "username_key": f"{tag}{n}".lower(),
         "email": f"{tag}{n}@example.org", "email_key": f"{tag}{n}@example.org".lower(),
         "password_hash": password_hash, "role": Role.READER, "created_at": utcnow()}
        for n in range(count)
    ]
    db.session.execute(sa.insert(User), rows)
    return [row["id"] for row in rows]


def seed_discussion(comments: int, password: str, posts: int = 1, readers: int = 200, seed: int = 20261128,
                    body_of: Callable[[random.Random], tuple[str, str]] | None = None) -> SeedReport:
    """`posts` published posts sharing `comments` comments between them: threads up to depth 5,
    about half replies, likes with a long tail, some guests; every account signs in with
    `password`. Commits in batches. `body_of(rng)` gives each comment's (Markdown, HTML); by
    default one of 300 bodies drawn once (bench/search.py wants a vocabulary as wide as a site's)."""
    rng = random.Random(seed)
    password_hash = hash_password(password)
    tag = f"seed{_next_id(User)}r"
    author = User(username=f"{tag}author", username_key=f"{tag}author", email=f"{tag}author@example.org",
                  email_key=f"{tag}author@example.org", password_hash=password_hash, role=Role.AUTHOR)
    db.session.add(author)
    db.session.flush()
    reader_ids = _seed_users(rng, readers, tag, password_hash)
    now = utcnow()
    post_rows = []
    first_post_id = _next_id(Post)
    for number in range(posts):
        title = f"Letters to the friends we drifted from, part {first_post_id + number}"
        body = "\n\n".join(" ".join(_sentence(rng) for _ in range(5)) for _ in range(6))
        html = text.render_essay(body)
        post_rows.append({
            "id": first_post_id + number, "author_id": author.id, "title": title,
            "slug": f"letters-part-{first_post_id + number}-{tag}", "body_markdown": body, "body_html": html,
            "excerpt": text.excerpt(html), "status": PostStatus.PUBLISHED, "created_at": now,
            "updated_at": now, "published_at": now - timedelta(days=posts - number),
            "comment_count": 0, "like_count": 0,
        })
    db.session.execute(sa.insert(Post), post_rows)

    bodies = _bodies(rng, 300)
    per_post = [comments // posts + (1 if n < comments % posts else 0) for n in range(posts)]
    next_comment_id = _next_id(Comment)
    comment_rows: list[dict] = []
    like_rows: list[dict] = []
    for post_row, count in zip(post_rows, per_post):
        placed: list[dict] = []
        for n in range(count):
            comment_id = next_comment_id
            next_comment_id += 1
            parent = None
            if placed and rng.random() < 0.5:  # about half are replies, mostly to recent comments
                candidates = [c for c in placed[-40:] if c["depth"] < MAX_DEPTH]
                parent = rng.choice(candidates) if candidates else None
            markdown, html = body_of(rng) if body_of else rng.choice(bodies)
            guest = rng.random() < 0.1
            row = {
                "id": comment_id, "post_id": post_row["id"],
                "parent_id": parent["id"] if parent else None,
                "root_id": parent["root_id"] if parent else comment_id,
                "depth": parent["depth"] + 1 if parent else 1,
                "path": f"{parent['path']}/{path_segment(comment_id)}" if parent else path_segment(comment_id),
                "author_id": None if guest else rng.choice(reader_ids),
                "guest_name": f"Guest {n}" if guest else None,
                "guest_email": f"guest{comment_id}@example.net" if guest else None,
                "body_markdown": markdown, "body_html": html, "status": CommentStatus.APPROVED,
                "created_at": post_row["published_at"] + timedelta(minutes=n), "like_count": 0,
                "ip_address": f"198.51.100.{comment_id % 250}",
            }
            likes = min(len(reader_ids), int(rng.paretovariate(1.6)) - 1)  # most none, a few many
            for user_id in rng.sample(reader_ids, likes):
                like_rows.append({"user_id": user_id, "comment_id": comment_id, "created_at": now})
            row["like_count"] = likes
            placed.append(row)
            comment_rows.append(row)
        post_row["comment_count"] = count
        post_likes = rng.sample(reader_ids, min(len(reader_ids), rng.randint(0, 30)))
        if post_likes:
            db.session.execute(sa.insert(PostLike), [{"user_id": u, "post_id": post_row["id"], "created_at": now} for u in post_likes])
        db.session.execute(sa.update(Post).where(Post.id == post_row["id"]).values(comment_count=count, like_count=len(post_likes)))
        if len(comment_rows) >= 20_000:
            _flush_comments(comment_rows, like_rows)
    _flush_comments(comment_rows, like_rows)
    if db.engine.dialect.name == "postgresql":  # ids were chosen here: move the sequences past them
        for table in ("users", "posts", "comments"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    db.session.commit()
    # Statistics for the planner now, as a database that grew over months would have them:
    # without them PostgreSQL plans the pages' queries for empty tables until autovacuum runs.
    # There VACUUM too, as autovacuum would have: until the visibility map is set, an index-only
    # scan (the index's count of published posts) reads every heap page instead.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    paths = [f"/posts/{row['slug']}" for row in post_rows]
    return SeedReport(paths, comments, readers + 1, f"{tag}0")


def _flush_comments(comment_rows: list[dict], like_rows: list[dict]) -> None:
    if comment_rows:
        db.session.execute(sa.insert(Comment), comment_rows)
        comment_rows.clear()
    if like_rows:
        db.session.execute(sa.insert(CommentLike), like_rows)
        like_rows.clear()
    db.session.commit()
