"""The index paged by keyset: Older and Newer links name the post a page starts after, by its
published date and id, so no page counts the posts or skips over them."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Post
from tests.factories import make_post
from tests.query_counter import count_queries

LINK = re.compile(r'<a rel="(next|prev)" href="([^"]+)"')


def titles(html: str) -> list[str]:
    return re.findall(r'class="post-summary__title"><a href="[^"]+">([^<]+)</a>', html)


def links(html: str) -> dict[str, str]:
    return {rel: unescape(href) for rel, href in LINK.findall(html)}


def make_posts(app, count: int, same_moment: bool = False) -> None:
    for number in range(count):
        make_post(app, title=f"Essay {number:02}", days_ago=0 if same_moment else 40 - number)
    if same_moment:  # every post published at one instant: the id alone orders them
        with app.app_context():
            db.session.execute(sa.update(Post).values(published_at=db.session.scalar(sa.select(sa.func.min(Post.published_at)))))
            db.session.commit()


@pytest.mark.parametrize("same_moment", [False, True])
def test_older_links_walk_every_post_once_and_newer_links_walk_back(client, app, users, same_moment):
    make_posts(app, 25, same_moment)
    expected = [f"Essay {number:02}" for number in reversed(range(25))]
    pages, path = [], "/"
    while path:
        html = client.get(path).get_data(as_text=True)
        pages.append((path, titles(html)))
        path = links(html).get("next")
    assert [title for _, page in pages for title in page] == expected
    assert [len(page) for _, page in pages] == [10, 10, 5]
    assert "Newer essays" not in client.get("/").get_data(as_text=True)
    # Back from the last page: the same pages, newest at the top.
    html = client.get(pages[-1][0]).get_data(as_text=True)
    back = links(html)["prev"]
    assert titles(client.get(back).get_data(as_text=True)) == pages[1][1]


def test_newer_from_the_second_page_is_the_first_page_whole(client, app, users):
    make_posts(app, 15)
    second = links(client.get("/").get_data(as_text=True))["next"]
    html = client.get(second).get_data(as_text=True)
    assert titles(html) == [f"Essay {number:02}" for number in reversed(range(5))]
    first = client.get(links(html)["prev"]).get_data(as_text=True)
    assert titles(first) == titles(client.get("/").get_data(as_text=True))
    assert "Newer essays" not in first and "Older essays" in first


def test_a_new_post_does_not_move_the_older_pages(client, app, users):
    make_posts(app, 20)
    second = links(client.get("/").get_data(as_text=True))["next"]
    before = titles(client.get(second).get_data(as_text=True))
    make_post(app, title="Fresh essay")
    assert titles(client.get(second).get_data(as_text=True)) == before


@pytest.mark.parametrize("query", ["older=x", "older=20261128T173000.000000Z-0", "newer=20261128T173000Z-3",
                                   "older=20261128T173000.000000Z-99999999999", "older=%00",
                                   "older=20261128T173000.000000Z-1&newer=20261128T173000.000000Z-1",
                                   "older=19700101T000000.000000Z-1"])
def test_a_cursor_no_link_wrote_or_past_the_end_is_a_clear_404(client, app, users, query):
    make_posts(app, 3)
    response = client.get(f"/?{query}")
    assert response.status_code == 404
    assert "There is no such page." in response.get_data(as_text=True)


def test_the_index_never_counts_posts_and_its_queries_do_not_grow(client, app, users):
    make_posts(app, 3)
    with count_queries(app) as few:
        client.get("/")
    make_posts(app, 30)
    second = links(client.get("/").get_data(as_text=True))["next"]
    with count_queries(app) as many:
        assert client.get("/").status_code == 200
    with count_queries(app) as older:
        assert client.get(second).status_code == 200
    assert len(few) == len(many) == len(older)
    assert not any("count(" in statement.lower() for statement in few + many + older)
