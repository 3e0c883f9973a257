"""`import-wordpress`: a WordPress export (WXR) becomes posts, accounts, threads of comments and
old links, in one transaction. Rows remember their source and original id, so importing the
same file again changes nothing and a newer export of the same blog adds only what is new."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import CommentStatus, Post, PostStatus, User
from community.models.base import utcnow
from community.services import DomainError
from community.services.comments import check_website
from community.services.posts import TITLE_MAX, _free_slug, slugify
from community.text import excerpt
from community.transfer.authors import account_for
from community.transfer.bodies import comment_from_html, essay_from_wordpress
from community.transfer.old_links import remember_links
from community.transfer.report import ImportReport
from community.transfer.threads import CommentWriter, IncomingComment
from community.transfer.wxr import Author, Blog, WxrComment, WxrPost, read_wxr

POST_STATUSES = {"publish": PostStatus.PUBLISHED, "draft": PostStatus.DRAFT, "pending": PostStatus.DRAFT,
                 "private": PostStatus.DRAFT, "future": PostStatus.DRAFT}
COMMENT_STATUSES = {"1": CommentStatus.APPROVED, "approve": CommentStatus.APPROVED, "0": CommentStatus.PENDING,
                    "hold": CommentStatus.PENDING, "spam": CommentStatus.SPAM, "trash": CommentStatus.TRASH,
                    "post-trashed": CommentStatus.TRASH}
SKIPPED_KINDS = ("pingback", "trackback")


class WordPressImport:
    """One run over one file; `run` reads it through and returns the report."""

    def __init__(self, report: ImportReport | None = None) -> None:
        self.report = report or ImportReport()
        self.source = ""
        self.authors: dict[str, Author] = {}  # login -> author
        self.accounts: dict[str, User] = {}  # login -> account
        self.account_by_wp_id: dict[str, int] = {}
        self.seen_posts: set[str] = set()
        self.writer: CommentWriter | None = None

    def run(self, source: BinaryIO, progress=None) -> ImportReport:
        for record in read_wxr(source):
            if isinstance(record, Author):
                self.authors[record.login.lower()] = record
            elif isinstance(record, Blog):
                self.start(record)
            else:
                self.add_post(record)
            if progress is not None:
                progress()
        if self.writer is not None:
            self.writer.finish()
        db.session.flush()
        return self.report

    def start(self, blog: Blog) -> None:
        self.source = f"wordpress:{blog.url or blog.title or 'unknown'}"[:200]
        self.writer = CommentWriter(self.source, current_app.config["THREAD_DEPTH"], self.report)
        for login, author in self.authors.items():
            account = account_for(author.login, author.email, self.report)
            self.accounts[login] = account
            if author.wp_id:
                self.account_by_wp_id[author.wp_id] = account.id

    def _account(self, login: str) -> User:
        key = login.lower() or "wordpress"
        if key not in self.accounts:
            self.accounts[key] = account_for(login or "wordpress", "", self.report)
        return self.accounts[key]

    def add_post(self, item: WxrPost) -> None:
        if item.post_type != "post":
            self.report.posts_skipped[f"{item.post_type}s" if item.post_type in ("page", "attachment") else "other types"] += 1
            return
        status = POST_STATUSES.get(item.status)
        if status is None:
            self.report.posts_skipped[f"status {item.status or 'none'}"] += 1
            return
        post = db.session.scalar(sa.select(Post).where(Post.source == self.source, Post.source_id == item.wp_id))
        if post is not None:
            if item.wp_id in self.seen_posts:
                self.report.note("duplicate post id, comments merged", item.wp_id)
            else:
                self.report.posts_already_there += 1
        else:
            post = self._new_post(item, status)
        self.seen_posts.add(item.wp_id)
        remember_links(post.id, old_paths(item))
        assert self.writer is not None
        self.writer.write(post.id, [self._comment(item, comment) for comment in item.comments if self._wanted(comment)])

    def _new_post(self, item: WxrPost, status: str) -> Post:
        when = item.date_gmt or item.date_local
        if item.date_gmt is None:
            self.report.note("post date without GMT, taken as UTC" if when else "post without a date, dated now",
                             item.wp_id)
        when = when or utcnow()
        markdown, html = essay_from_wordpress(item.content)
        title = (item.title or "Untitled")[:TITLE_MAX]
        base = slugify(unquote(item.post_name)) if item.post_name else "post"
        post = Post(
            author=self._account(item.creator), title=title, body_markdown=markdown, body_html=html,
            excerpt=excerpt(html), status=status, created_at=when, updated_at=when,
            published_at=when if status == PostStatus.PUBLISHED else None,
            comments_closed=item.comment_status == "closed", source=self.source, source_id=item.wp_id[:64],
        )
        post.slug = _free_slug(slugify(title) if base == "post" else base)
        db.session.add(post)
        db.session.flush()
        self.report.posts_added += 1
        return post

    def _wanted(self, comment: WxrComment) -> bool:
        if comment.kind in SKIPPED_KINDS:
            self.report.comments_skipped[f"{comment.kind}s"] += 1
            return False
        if comment.kind not in ("", "comment"):
            self.report.comments_skipped[f"{comment.kind} (not a comment)"] += 1
            return False
        return True

    def _comment(self, item: WxrPost, comment: WxrComment) -> IncomingComment:
        when: datetime | None = comment.date_gmt or comment.date_local
        if comment.date_gmt is None:
            self.report.note("comment date without GMT, taken as UTC", comment.wp_id)
        status = COMMENT_STATUSES.get(comment.approved)
        if status is None:
            self.report.note(f"unknown comment status {comment.approved!r}, held", comment.wp_id)
            status = CommentStatus.PENDING
        markdown, html = comment_from_html(comment.content)
        account_id = self.account_by_wp_id.get(comment.user_wp_id) if comment.user_wp_id not in ("", "0") else None
        return IncomingComment(
            source_id=comment.wp_id[:64], parent_source_id=comment.parent_wp_id if comment.parent_wp_id not in ("", "0") else None,
            created_at=when or item.date_gmt or utcnow(), status=status, body_markdown=markdown, body_html=html,
            author_id=account_id, guest_name=comment.author_name, guest_email=comment.author_email,
            guest_website=website(comment.author_url), ip_address=comment.author_ip,
        )


@lru_cache(maxsize=4096)  # the same few people comment again and again
def website(raw: str) -> str | None:
    """A commenter's site if it is a plain http(s) address, else nothing (javascript: and the like)."""
    try:
        return check_website(raw)
    except DomainError:
        return None


def old_paths(item: WxrPost) -> list[str]:
    """The addresses WordPress served the post at: its permalink's path, /YYYY/MM/DD/slug/ (dated
    in the blog's own time, as WordPress's permalinks are), /slug/ and /?p=ID."""
    paths: list[str] = []
    if item.link:
        parts = urlsplit(item.link)
        if parts.path not in ("", "/"):
            paths.append(unquote(parts.path))
        elif parts.query.startswith("p="):
            paths.append(f"/?{parts.query}")
    name = unquote(item.post_name)
    if name:
        when = item.date_local or item.date_gmt
        if when is not None:
            paths.append(f"/{when:%Y/%m/%d}/{name}/")
        paths.append(f"/{name}/")
    if item.wp_id:
        paths += [f"/?p={item.wp_id}", f"/archives/{item.wp_id}"]
    return paths
