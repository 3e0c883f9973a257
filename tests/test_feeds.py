"""Atom feeds: the posts, one post's comments and all public comments; only public content, read
back with feedparser; autodiscovery links on the pages; conditional GET answers 304."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
import pytest

from community.extensions import db
from community.models import Comment
from community.services.comments import Guest
from community.services.comment_status import change_status
from tests.factories import make_comment, make_post


def parsed(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.fixture
def site(app, users):
    public = make_post(app, title="On Tides", body="The sea *returns*.", days_ago=1)
    draft = make_post(app, title="Unfinished", body="Secret words.", publish=False)
    first = make_comment(app, public, "Lovely & true.", author="reader")
    reply = make_comment(app, public, "A guest's reply.", author=None, parent_id=first,
                         guest=Guest("Wren", "wren@example.net"))
    held = make_comment(app, public, "Held back words.", author="reader")
    with app.app_context():
        change_status(db.session.get(Comment, held), "pending")
        db.session.commit()
    return {"public": public, "draft": draft, "first": first, "reply": reply, "held": held}


def test_posts_feed_lists_published_posts_only(client, site):
    feed = parsed(client.get("/feed"))
    assert [entry.title for entry in feed.entries] == ["On Tides"]
    entry = feed.entries[0]
    assert entry.link.endswith(f"/posts/{site['public']}")
    assert "<em>returns</em>" in entry.content[0].value
    assert entry.author == "author"
    assert "Secret words" not in client.get("/feed").get_data(as_text=True)


def test_comments_feed_holds_public_comments_without_emails(client, site):
    response = client.get("/comments/feed")
    feed = parsed(response)
    assert sorted(entry.author for entry in feed.entries) == ["Wren", "reader"]
    body = response.get_data(as_text=True)
    assert "Held back words" not in body
    assert "wren@example.net" not in body
    assert feed.entries[0].title == "Comment on “On Tides” by Wren"  # newest first
    assert feed.entries[0].link.endswith(f"/comments/{site['reply']}")


def test_post_comments_feed(client, site):
    feed = parsed(client.get(f"/posts/{site['public']}/feed"))
    assert feed.feed.title == "Comments on “On Tides”"
    assert len(feed.entries) == 2


def test_a_draft_has_no_feed(client, site, auth):
    assert client.get(f"/posts/{site['draft']}/feed").status_code == 404
    auth.login("author")  # not even for its author: feeds are public documents
    assert client.get(f"/posts/{site['draft']}/feed").status_code == 404
    assert client.get("/posts/no-such-post/feed").status_code == 404


def test_deleted_comment_leaves_the_feed(app, client, site):
    from community.services.comment_status import make_tombstone

    with app.app_context():
        make_tombstone(db.session.get(Comment, site["first"]))
        db.session.commit()
    assert "Lovely" not in client.get("/comments/feed").get_data(as_text=True)


def test_empty_site_has_valid_feeds(client, users):
    assert parsed(client.get("/feed")).entries == []
    assert parsed(client.get("/comments/feed")).entries == []


@pytest.mark.parametrize("path", ["/feed", "/comments/feed"])
def test_conditional_get_answers_304_until_something_changes(app, client, site, path):
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    make_post(app, title="A Newer Essay") if path == "/feed" else make_comment(app, site["public"], "New words.")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag


class FeedLinks(HTMLParser):
    """The autodiscovery links of a page: <link rel="alternate" type="application/atom+xml">."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "alternate" and attributes.get("type") == "application/atom+xml":
            self.found[attributes["title"]] = attributes["href"]


def feed_links(response) -> dict[str, str]:
    parser = FeedLinks()
    parser.feed(response.get_data(as_text=True))
    return parser.found


def test_pages_offer_their_feeds(client, site):
    assert feed_links(client.get("/")) == {"Posts": "/feed", "Comments": "/comments/feed"}
    on_post = feed_links(client.get(f"/posts/{site['public']}"))
    assert on_post["Comments on this post"] == f"/posts/{site['public']}/feed"
