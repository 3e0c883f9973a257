"""Reading a WordPress export (WXR 1.0-1.2, as WordPress.com and self-hosted WordPress write it)
as a stream of plain records: the blog, its authors, then one post at a time with its comments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO
from xml.etree.ElementTree import Element

from community.transfer.xmlstream import local_name, namespace_of, stream_records, text_of

_WP_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


@dataclass
class Blog:
    """The channel's own facts; `url` names the source of every row imported from it."""

    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class Author:
    wp_id: str
    login: str
    email: str
    display_name: str


@dataclass
class WxrComment:
    wp_id: str
    parent_wp_id: str  # "0" or "" at the top
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: datetime | None  # None when the export has no GMT date (see `date_local`)
    date_local: datetime | None
    content: str
    approved: str  # "1", "0", "spam", "trash", ...
    kind: str  # "" or "comment"; "pingback", "trackback", ...
    user_wp_id: str


@dataclass
class WxrPost:
    wp_id: str
    title: str
    link: str
    post_name: str
    status: str
    post_type: str
    date_gmt: datetime | None
    date_local: datetime | None
    creator: str
    content: str
    comment_status: str
    comments: list[WxrComment] = field(default_factory=list)


def wp_date(raw: str) -> datetime | None:
    """"2019-03-04 10:00:00" as UTC, or None for WordPress's "0000-00-00 00:00:00" and blanks."""
    raw = raw.strip()
    if not raw or raw.startswith("0000"):
        return None
    try:
        if _WP_DATE.fullmatch(raw):  # as every export writes it: read without strptime's slow path
            return datetime(int(raw[:4]), int(raw[5:7]), int(raw[8:10]), int(raw[11:13]), int(raw[14:16]),
                            int(raw[17:19]), tzinfo=timezone.utc)
        return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _fields(element: Element) -> dict[str, str]:
    """Child elements by local name ("encoded" split into content and excerpt by namespace)."""
    found: dict[str, str] = {}
    for child in element:
        name = local_name(child.tag)
        if name == "encoded" and "excerpt" in namespace_of(child.tag):
            name = "excerpt_encoded"
        if name not in ("comment", "postmeta", "category"):
            found.setdefault(name, text_of(child))
    return found


def _comment(element: Element) -> WxrComment:
    f = _fields(element)
    return WxrComment(
        wp_id=f.get("comment_id", "").strip(), parent_wp_id=f.get("comment_parent", "").strip(),
        author_name=f.get("comment_author", "").strip(), author_email=f.get("comment_author_email", "").strip(),
        author_url=f.get("comment_author_url", "").strip(), author_ip=f.get("comment_author_IP", "").strip(),
        date_gmt=wp_date(f.get("comment_date_gmt", "")), date_local=wp_date(f.get("comment_date", "")),
        content=f.get("comment_content", ""), approved=f.get("comment_approved", "1").strip(),
        kind=f.get("comment_type", "").strip(), user_wp_id=f.get("comment_user_id", "").strip(),
    )


def _post(element: Element) -> WxrPost:
    f = _fields(element)
    return WxrPost(
        wp_id=f.get("post_id", "").strip(), title=f.get("title", "").strip(), link=f.get("link", "").strip(),
        post_name=f.get("post_name", "").strip(), status=f.get("status", "").strip(),
        post_type=f.get("post_type", "post").strip() or "post",
        date_gmt=wp_date(f.get("post_date_gmt", "")), date_local=wp_date(f.get("post_date", "")),
        creator=f.get("creator", "").strip(), content=f.get("encoded", ""),
        comment_status=f.get("comment_status", "open").strip(),
        comments=[_comment(child) for child in element if local_name(child.tag) == "comment"],
    )


def read_wxr(source: BinaryIO) -> Iterator[Blog | Author | WxrPost]:
    """The blog (once, before the first post), the authors, then every item in file order.
    Raises UnreadableFile with the line and column where the XML goes wrong."""
    blog = Blog()
    urls: dict[str, str] = {}  # the blog's address: base_blog_url, else base_site_url, else link
    blog_sent = False
    for element in stream_records(source, lambda element, depth: depth == 2):
        name = local_name(element.tag)
        if name == "item":
            if not blog_sent:
                blog_sent = True
                blog.url = next((urls[key] for key in ("base_blog_url", "base_site_url", "link") if urls.get(key)), "")
                yield blog
            yield _post(element)
        elif name == "author":
            f = _fields(element)
            yield Author(f.get("author_id", "").strip(), f.get("author_login", "").strip(),
                         f.get("author_email", "").strip(), f.get("author_display_name", "").strip())
        elif name in ("base_blog_url", "base_site_url") or (name == "link" and not namespace_of(element.tag)):
            urls[name] = text_of(element).strip().rstrip("/")
        elif name == "title" and not namespace_of(element.tag):
            blog.title = text_of(element).strip()
    if not blog_sent:
        blog.url = next((urls[key] for key in ("base_blog_url", "base_site_url", "link") if urls.get(key)), "")
        yield blog
