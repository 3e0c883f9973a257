"""Writing imported comments of one post as threads: each gets its place (parent, root, depth,
path) computed here, an id chosen up front (the original one when it is free, so an old
"#comment-123" link still finds it), and the rows go in by batches, parents first.

A reply whose parent is missing becomes a top-level comment; a reply deeper than THREAD_DEPTH
hangs under its ancestor at the deepest level the site shows, as WordPress displays it; both
are reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, Post
from community.models.comment import path_segment
from community.routing import MAX_ID
from community.transfer.report import ImportReport


@dataclass
class IncomingComment:
    """One comment as the importers hand it over, before it has a place."""

    source_id: str
    parent_source_id: str | None
    created_at: datetime
    status: str
    body_markdown: str
    body_html: str
    author_id: int | None = None
    guest_name: str | None = None
    guest_email: str | None = None
    guest_website: str | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class Place:
    id: int
    depth: int
    path: str
    root_id: int


class CommentWriter:
    """Ids and places for one import run; `write` takes one post's comments at a time."""

    def __init__(self, source: str, thread_depth: int, report: ImportReport) -> None:
        self.source = source
        self.thread_depth = thread_depth
        self.report = report
        self.max_at_start = db.session.scalar(sa.select(sa.func.max(Comment.id))) or 0
        self.next_id = self.max_at_start + 1
        self.used: set[int] = set()  # ids given out in this run
        self.touched_posts: set[int] = set()

    def _existing(self, post_id: int) -> dict[str, Place]:
        rows = db.session.execute(
            sa.select(Comment.source_id, Comment.id, Comment.depth, Comment.path, Comment.root_id)
            .where(Comment.source == self.source, Comment.post_id == post_id)
        )
        return {source_id: Place(id_, depth, path, root) for source_id, id_, depth, path, root in rows}

    def _allocate(self) -> int:
        while self.next_id in self.used:
            self.next_id += 1
        self.used.add(self.next_id)
        return self.next_id

    def _choose_ids(self, incoming: list[IncomingComment]) -> dict[str, int]:
        wanted = {c.source_id: int(c.source_id) for c in incoming
                  if c.source_id.isascii() and c.source_id.isdigit() and 1 <= int(c.source_id) <= MAX_ID}
        below = [value for value in wanted.values() if value <= self.max_at_start]
        taken = set(db.session.scalars(sa.select(Comment.id).where(Comment.id.in_(below)))) if below else set()
        chosen: dict[str, int] = {}
        for comment in incoming:
            value = wanted.get(comment.source_id)
            if value is not None and value not in taken and value not in self.used:
                self.used.add(value)
                chosen[comment.source_id] = value
            else:
                chosen[comment.source_id] = self._allocate()
        return chosen

    def write(self, post_id: int, incoming: list[IncomingComment]) -> None:
        """Insert the comments of one post that are not there yet."""
        existing = self._existing(post_id)
        fresh: dict[str, IncomingComment] = {}
        seen: set[str] = set()
        for comment in incoming:
            if comment.source_id in seen:
                self.report.note("duplicate comment id, later copy skipped", comment.source_id)
            elif comment.source_id in existing:
                self.report.comments_already_there += 1
            else:
                fresh[comment.source_id] = comment
            seen.add(comment.source_id)
        if not fresh:
            return
        ids = self._choose_ids(list(fresh.values()))
        places: dict[str, Place] = dict(existing)
        rows: list[dict[str, object]] = []

        def place(comment: IncomingComment) -> None:
            parent_key = comment.parent_source_id
            parent = places.get(parent_key) if parent_key else None
            if parent_key and parent is None:
                self.report.note("reply whose parent is missing, made top-level", comment.source_id)
            own_id = ids[comment.source_id]
            if parent is not None and parent.depth >= self.thread_depth:
                # Deeper than the site nests: under the ancestor one level up, at the deepest level.
                segments = parent.path.split("/")[: self.thread_depth - 1]
                parent = Place(int(segments[-1]), self.thread_depth - 1, "/".join(segments),
                               parent.root_id) if segments else None
                self.report.note(f"reply deeper than {self.thread_depth} levels, kept at level {self.thread_depth}",
                                 comment.source_id)
            if parent is None:
                mine = Place(own_id, 1, path_segment(own_id), own_id)
            else:
                mine = Place(own_id, parent.depth + 1, f"{parent.path}/{path_segment(own_id)}", parent.root_id)
            places[comment.source_id] = mine
            rows.append(self._row(post_id, comment, mine, parent.id if parent else None))

        # Parents before their replies, walking up by hand (no recursion: a hostile file may nest
        # deeper than Python's stack); a parent that is its own ancestor counts as missing.
        for first in fresh.values():
            stack, on_stack = [first], {first.source_id}
            while stack:
                top = stack[-1]
                if top.source_id in places:
                    stack.pop()
                    continue
                parent_key = top.parent_source_id
                if parent_key and parent_key not in places and parent_key in fresh and parent_key not in on_stack:
                    stack.append(fresh[parent_key])
                    on_stack.add(parent_key)
                    continue
                place(top)
                stack.pop()
        # Parents were appended before their replies. Core's executemany, not the ORM's bulk insert,
        # which spends longer on each row than the database does.
        for count in range(0, len(rows), 1000):
            db.session.execute(Comment.__table__.insert(), rows[count:count + 1000])
        for comment in fresh.values():
            self.report.comments_added[comment.status] += 1
        self.touched_posts.add(post_id)

    def _row(self, post_id: int, comment: IncomingComment, mine: Place, parent_id: int | None) -> dict[str, object]:
        guest = comment.author_id is None
        return {
            "id": mine.id, "post_id": post_id, "parent_id": parent_id, "root_id": mine.root_id,
            "depth": mine.depth, "path": mine.path, "author_id": comment.author_id,
            "guest_name": (comment.guest_name or "Anonymous")[:60] if guest else None,
            "guest_email": (comment.guest_email or "").lower()[:254] if guest else None,
            "guest_website": comment.guest_website if guest else None,
            "ip_address": (comment.ip_address or None) and comment.ip_address[:45],
            "body_markdown": comment.body_markdown, "body_html": comment.body_html,
            "status": comment.status, "created_at": comment.created_at,
            "edited_by_moderator": False, "like_count": 0, "open_report_count": 0,
            "source": self.source, "source_id": comment.source_id,
        }

    def finish(self) -> None:
        """Stored counts equal COUNT(*) for every post that got comments; the pages change; on
        PostgreSQL the id sequence moves past the ids chosen here."""
        counted = (
            sa.select(sa.func.count(Comment.id))
            .where(Comment.post_id == Post.id, Comment.is_public)
            .scalar_subquery()
        )
        touched = sorted(self.touched_posts)
        for start in range(0, len(touched), 500):
            db.session.execute(
                sa.update(Post).where(Post.id.in_(touched[start:start + 500]))
                .values(comment_count=counted, discussion_version=Post.discussion_version + 1)
            )
        reset_id_sequences()


def reset_id_sequences(*tables: str) -> None:
    """After rows were inserted with ids chosen by hand, PostgreSQL's sequences must move past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables or ("comments", "posts", "users"):
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))
