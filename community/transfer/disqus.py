"""`import-disqus`: Disqus's XML export (Admin → Moderate → Export) brought under the posts it
discussed. A thread is matched to a post by its link: an old address an import left
(old_links), or the post's address on this site; a thread no post matches is reported and its
comments are left out. Comments keep their parents, dates, deletion and spam flags (deleted →
trash, spam → spam), and their identity: an account here when the Disqus username or email
matches one, else a guest. Rows remember "disqus:<forum>" and the Disqus id, so importing again
adds only what is new."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import CommentStatus, OldLink, Post
from community.models.base import utcnow
from community.transfer.authors import find_account
from community.transfer.bodies import comment_from_html
from community.transfer.old_links import normal_path
from community.transfer.report import ImportReport
from community.transfer.threads import CommentWriter, IncomingComment
from community.transfer.xmlstream import local_name, stream_records, text_of

INTERNALS = "{http://disqus.com/disqus-internals}id"


@dataclass(frozen=True)
class Thread:
    link: str
    title: str
    forum: str


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if local_name(child.tag) == name), None)


def _text(element: Element, name: str) -> str:
    return text_of(_child(element, name)).strip()


def _flag(element: Element, name: str) -> bool:
    return _text(element, name).lower() == "true"


def disqus_date(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def post_for_link(link: str) -> Post | None:
    """The post a thread's address names: an imported post's old address, or /posts/<slug>."""
    path = unquote(urlsplit(link).path or "/")
    query = urlsplit(link).query
    candidates = [normal_path(path)] + ([f"/?{query}"] if query.startswith("p=") else [])
    post = db.session.scalar(sa.select(Post).join(OldLink, OldLink.post_id == Post.id).where(OldLink.path.in_(candidates)).limit(1))
    if post is None and path.startswith("/posts/"):
        post = db.session.scalar(sa.select(Post).where(Post.slug == path.removeprefix("/posts/").strip("/")))
    return post


class DisqusImport:
    def __init__(self, report: ImportReport | None = None) -> None:
        self.report = report or ImportReport()
        self.threads: dict[str, Thread] = {}
        self.comments: dict[str, list[IncomingComment]] = defaultdict(list)  # thread id -> its comments
        self.forum = ""

    def run(self, source: BinaryIO, progress=None) -> ImportReport:
        for element in stream_records(source, lambda element, depth: depth == 1):
            name = local_name(element.tag)
            if name == "thread":
                self.threads[element.get(INTERNALS, "")] = Thread(_text(element, "link"), _text(element, "title"),
                                                                  _text(element, "forum"))
                self.forum = self.forum or _text(element, "forum")
            elif name == "post":
                self._read_comment(element)
            if progress is not None:
                progress()
        self._write()
        return self.report

    def _read_comment(self, element: Element) -> None:
        thread = _child(element, "thread")
        parent = _child(element, "parent")
        author = _child(element, "author")
        name = _text(author, "name") if author is not None else ""
        email = _text(author, "email") if author is not None else ""
        username = _text(author, "username") if author is not None else ""
        anonymous = author is None or _flag(author, "isAnonymous")
        account = None if anonymous else find_account(username, email)
        status = (CommentStatus.SPAM if _flag(element, "isSpam") else
                  CommentStatus.TRASH if _flag(element, "isDeleted") else CommentStatus.APPROVED)
        when = disqus_date(_text(element, "createdAt"))
        comment_id = element.get(INTERNALS, "")
        if when is None:
            self.report.note("comment without a readable date, dated now", comment_id)
        markdown, html = comment_from_html(text_of(_child(element, "message")))
        self.comments[thread.get(INTERNALS, "") if thread is not None else ""].append(IncomingComment(
            source_id=comment_id[:64], parent_source_id=parent.get(INTERNALS) if parent is not None else None,
            created_at=when or utcnow(), status=status, body_markdown=markdown, body_html=html,
            author_id=account.id if account else None, guest_name=name or username or "Anonymous",
            guest_email=email, ip_address=_text(element, "ipAddress"),
        ))

    def _write(self) -> None:
        source = f"disqus:{self.forum or 'unknown'}"[:200]
        writer = CommentWriter(source, current_app.config["THREAD_DEPTH"], self.report)
        # Ids are chosen by the writer; Disqus ids are far larger than a site's, so they never match.
        for thread_id, comments in self.comments.items():
            thread = self.threads.get(thread_id)
            post = post_for_link(thread.link) if thread and thread.link else None
            if post is None:
                self.report.threads_unmatched += 1
                self.report.comments_skipped["on threads with no matching post"] += len(comments)
                if len(self.report.notes) < self.report.NOTES_KEPT:
                    self.report.notes.append(f"no post for the thread {thread.link if thread else thread_id!r}")
                continue
            comments.sort(key=lambda comment: comment.created_at)
            writer.write(post.id, comments)
        writer.finish()
        db.session.flush()
