"""The one search function: published posts and public comments that hold every word asked for,
best first, a page at a time, each with its matches marked. SQLite's FTS5 or PostgreSQL's full-text
search answers, behind the same function; only what every reader may see is ever found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.models import Comment, CommentStatus, Post, PostStatus
from community.search.schema import COMMENT_VECTOR, POST_VECTOR
from community.services import DomainError

QUERY_MAX = 200  # characters of a search
TERMS_MAX = 12  # words of it that count
TERM_MAX = 64  # characters of one word
# Marks around a match in a snippet, from Unicode's private use area; turned into <mark> after
# the text around them is escaped (marked).
START, STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class Hit:
    """One result: a post, or a comment under one."""

    kind: str  # "post" or "comment"
    post: Post
    comment: Comment | None
    title: Markup  # the post's title, its matches marked
    snippet: Markup  # words around the matches, marked

    @property
    def created_at(self) -> datetime:
        return self.comment.created_at if self.comment else (self.post.published_at or self.post.created_at)


@dataclass(frozen=True)
class SearchPage:
    query: str
    terms: tuple[str, ...]
    hits: list[Hit]
    page: int
    per_page: int
    has_next: bool


def search_terms(query: str) -> tuple[str, ...]:
    """The words of a search, as the index splits text: letters and digits of any script."""
    if len(query) > QUERY_MAX:
        raise DomainError(f"A search is at most {QUERY_MAX} characters.", field="q")
    words = [word[:TERM_MAX] for word in re.findall(r"\w+", query.replace(START, " ").replace(STOP, " "))]
    return tuple(dict.fromkeys(words))[:TERMS_MAX]


def marked(fragment: str | None) -> Markup:
    """The fragment escaped, with the index's marks as <mark>; a stray mark opens or closes nothing."""
    parts, open_mark = [], False
    for piece in re.split(f"([{START}{STOP}])", fragment or ""):
        if piece == START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (START, STOP):
            parts.append(str(escape(piece)))
    if open_mark:
        parts.append("</mark>")
    return Markup("".join(parts))


def search(query: str, page: int = 1, per_page: int = 20) -> SearchPage:
    """The page'th `per_page` results for `query`, best first. Found only: published posts, and
    approved comments not deleted by their author under published posts, for every reader alike."""
    terms = search_terms(query)
    if not terms:
        return SearchPage(query, terms, [], page, per_page, False)
    backend = _PostgreSQL if db.session.get_bind().dialect.name == "postgresql" else _SQLite
    ranked = db.session.execute(backend.ranked, {**backend.params(terms), "limit": per_page + 1,
                                                 "offset": (page - 1) * per_page}).all()
    has_next = len(ranked) > per_page
    ranked = ranked[:per_page]
    post_ids = [row.id for row in ranked if row.kind == "post"]
    comment_ids = [row.id for row in ranked if row.kind == "comment"]
    marks = {**_fragments(backend, "post", post_ids, terms), **_fragments(backend, "comment", comment_ids, terms)}
    posts = {post.id: post for post in db.session.scalars(sa.select(Post).where(Post.id.in_(post_ids)))} if post_ids else {}
    comments = {
        comment.id: comment for comment in db.session.scalars(
            sa.select(Comment).options(joinedload(Comment.post)).where(Comment.id.in_(comment_ids))
        )
    } if comment_ids else {}
    hits = []
    for row in ranked:
        title, snippet = marks.get((row.kind, row.id), (None, None))
        if row.kind == "post" and row.id in posts:
            post = posts[row.id]
            hits.append(Hit("post", post, None, marked(title) if title else Markup(escape(post.title)), marked(snippet)))
        elif row.kind == "comment" and row.id in comments:
            comment = comments[row.id]
            hits.append(Hit("comment", comment.post, comment, Markup(escape(comment.post.title)), marked(snippet)))
    return SearchPage(query, terms, hits, page, per_page, has_next)


def _fragments(backend: type, kind: str, ids: list[int], terms: tuple[str, ...]) -> dict[tuple[str, int], tuple]:
    """(kind, id) → (marked title, marked snippet), for one page's rows only."""
    if not ids:
        return {}
    statement = (backend.post_fragments if kind == "post" else backend.comment_fragments).bindparams(
        sa.bindparam("ids", expanding=True))
    rows = db.session.execute(statement, {**backend.params(terms), "ids": ids})
    return {(kind, row.id): (row.title, row.snippet) for row in rows}


_PUBLIC_COMMENT = (f"comments.status = '{CommentStatus.APPROVED}' AND comments.deleted_at IS NULL "
                   f"AND posts.status = '{PostStatus.PUBLISHED}'")
_PUBLISHED_POST = f"posts.status = '{PostStatus.PUBLISHED}'"


class _SQLite:
    """FTS5: every word must appear (each quoted, so nothing typed is read as query syntax);
    bm25 ranks, a title match counting eight times a body match."""

    @staticmethod
    def params(terms: tuple[str, ...]) -> dict[str, str]:
        return {"match": " ".join(f'"{term}"' for term in terms), "start": START, "stop": STOP}

    ranked = sa.text(f"""
        SELECT 'post' AS kind, posts.id AS id, -bm25(search_posts, 8.0, 1.0) AS score
          FROM search_posts JOIN posts ON posts.id = search_posts.rowid
         WHERE search_posts MATCH :match AND {_PUBLISHED_POST}
        UNION ALL
        SELECT 'comment', comments.id, -bm25(search_comments)
          FROM search_comments JOIN comments ON comments.id = search_comments.rowid
               JOIN posts ON posts.id = comments.post_id
         WHERE search_comments MATCH :match AND {_PUBLIC_COMMENT}
        ORDER BY score DESC, kind DESC, id DESC
        LIMIT :limit OFFSET :offset""")
    post_fragments = sa.text("""
        SELECT rowid AS id, highlight(search_posts, 0, :start, :stop) AS title,
               snippet(search_posts, 1, :start, :stop, '…', 32) AS snippet
          FROM search_posts WHERE search_posts MATCH :match AND rowid IN :ids""")
    comment_fragments = sa.text("""
        SELECT rowid AS id, NULL AS title, snippet(search_comments, 0, :start, :stop, '…', 32) AS snippet
          FROM search_comments WHERE search_comments MATCH :match AND rowid IN :ids""")


class _PostgreSQL:
    """tsvector @@ plainto_tsquery (every word, English stemming) over the GIN indexes; ts_rank
    ranks, the title weighted A over the body's B; ts_headline marks the page's rows only."""

    @staticmethod
    def params(terms: tuple[str, ...]) -> dict[str, str]:
        return {"match": " ".join(terms),
                "headline": f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, MaxFragments=2, "
                            "FragmentDelimiter=\" … \"",
                "whole": f"StartSel={START}, StopSel={STOP}, HighlightAll=true"}

    ranked = sa.text(f"""
        WITH q AS (SELECT plainto_tsquery('english'::regconfig, :match) AS query)
        SELECT 'post' AS kind, posts.id AS id, ts_rank({POST_VECTOR}, q.query) AS score
          FROM posts, q WHERE {POST_VECTOR} @@ q.query AND {_PUBLISHED_POST}
        UNION ALL
        SELECT 'comment', comments.id, ts_rank({COMMENT_VECTOR}, q.query)
          FROM comments JOIN posts ON posts.id = comments.post_id, q
         WHERE {COMMENT_VECTOR} @@ q.query AND {_PUBLIC_COMMENT}
        ORDER BY score DESC, kind DESC, id DESC
        LIMIT :limit OFFSET :offset""")
    post_fragments = sa.text("""
        SELECT id, ts_headline('english'::regconfig, title, plainto_tsquery('english'::regconfig, :match), :whole) AS title,
               ts_headline('english'::regconfig, body_markdown, plainto_tsquery('english'::regconfig, :match), :headline)
                 AS snippet
          FROM posts WHERE id IN :ids""")
    comment_fragments = sa.text("""
        SELECT id, NULL AS title,
               ts_headline('english'::regconfig, body_markdown, plainto_tsquery('english'::regconfig, :match), :headline)
                 AS snippet
          FROM comments WHERE id IN :ids""")
