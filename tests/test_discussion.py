"""Reading a discussion: headings, threads in order, permalinks, pages of threads, avatars, and a
query count that does not grow with the comments."""

from __future__ import annotations

import re

import pytest

from community.models import Comment
from community.services.comments import Guest
from tests.conftest import post_form
from tests.factories import count_rows, make_comment, make_post, make_thread, like_comment
from tests.query_counter import count_queries


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Drift")


def page_of(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(("comments", "heading"), [(0, "No comments yet"), (1, "One thought on “Drift”"), (3, "3 thoughts on “Drift”")])
def test_heading_counts_visible_comments(client, app, slug, comments, heading):
    for number in range(comments):
        make_comment(app, slug, f"c{number}")
    assert f'id="comments-title" class="discussion__title">{heading}</h2>' in page_of(client, f"/posts/{slug}")


def test_threads_run_oldest_first_as_nested_lists(client, app, slug):
    first = make_comment(app, slug, "FIRST-THREAD")
    second = make_comment(app, slug, "SECOND-THREAD")
    reply = make_comment(app, slug, "REPLY-TO-FIRST", parent_id=first)
    page = page_of(client, f"/posts/{slug}")
    assert page.index("FIRST-THREAD") < page.index("REPLY-TO-FIRST") < page.index("SECOND-THREAD")
    assert re.search(rf'id="comment-{reply}" class="comment depth-2"', page)
    assert re.search(rf'id="comment-{second}" class="comment depth-1"', page)


def test_each_comment_has_avatar_time_permalink_and_author_badge(client, app, slug):
    by_reader = make_comment(app, slug, "reader here")
    by_author = make_comment(app, slug, "the author answers", author="author", parent_id=by_reader)
    page = page_of(client, f"/posts/{slug}")
    assert re.search(r'<img class="avatar" src="/avatars/[0-9a-f]{20}\.svg" alt=""', page)
    assert re.search(r'<time [^>]*datetime="\d{4}-\d\d-\d\dT[\d:.]+\+00:00">', page)
    assert f'href="/comments/{by_reader}"' in page
    author_block = page[page.index(f'id="comment-{by_author}"'):]
    reader_block = page[page.index(f'id="comment-{by_reader}"'):page.index(f'id="comment-{by_author}"')]
    assert "badge--author" in author_block.split("comment__content")[0]
    assert "badge--author" not in reader_block


def test_no_request_leaves_the_site(client, app, slug):
    make_comment(app, slug, "hello", author=None, guest=Guest("G", "g@example.org", "https://g.example"))
    page = page_of(client, f"/posts/{slug}")
    external_sources = re.findall(r'(?:src|href)="(https?:)?//(?!g\.example)[^"]*"', page)
    assert re.findall(r'src="https?://', page) == [] and external_sources == []


def test_avatar_is_an_svg_drawn_here_and_cached(client, slug):
    page = page_of(client, f"/posts/{slug}")
    response = client.get("/avatars/0123456789abcdef0123.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg") and "immutable" in response.headers["Cache-Control"]
    assert client.get("/avatars/not-a-key.svg").status_code == 404
    assert page  # the page itself rendered


def test_guest_avatar_does_not_reveal_the_email(client, app, slug):
    make_comment(app, slug, "hi", author=None, guest=Guest("G", "secret.person@example.org"))
    page = page_of(client, f"/posts/{slug}")
    assert "secret.person" not in page


# --- permalinks and pages ----------------------------------------------------------------------

def test_permalink_redirects_to_the_comment_on_its_page(client, app, slug):
    app.config["COMMENTS_PER_PAGE"] = 2
    threads = [make_thread(app, slug, 2) for _ in range(5)]
    response = client.get(f"/comments/{threads[0][1]}")
    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{slug}#comment-{threads[0][1]}"
    response = client.get(f"/comments/{threads[2][1]}")
    assert response.headers["Location"] == f"/posts/{slug}?cpage=2#comment-{threads[2][1]}"
    target = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="comment-{threads[2][1]}"' in target


def test_permalink_of_unknown_or_draft_comment_is_404(client, app, users):
    draft = make_post(app, title="Secret", publish=False)
    with app.app_context():
        from community.extensions import db
        from community.models import Comment, Post
        from tests.factories import post_by_slug
        post = post_by_slug(draft)
        post.status = "published"
        db.session.commit()
    comment_id = make_comment(app, draft, "on a post that goes back to draft")
    with app.app_context():
        post_by_slug(draft).status = "draft"
        db.session.commit()
    assert client.get(f"/comments/{comment_id}").status_code == 404
    assert client.get("/comments/987654").status_code == 404


def test_pages_hold_whole_threads(client, app, slug):
    app.config["COMMENTS_PER_PAGE"] = 2
    threads = [make_thread(app, slug, 3) for _ in range(5)]
    first = page_of(client, f"/posts/{slug}")
    second = page_of(client, f"/posts/{slug}?cpage=2")
    third = page_of(client, f"/posts/{slug}?cpage=3")
    ids_on = lambda page: {int(i) for i in re.findall(r'<li id="comment-(\d+)"', page)}
    assert ids_on(first) == set(threads[0] + threads[1])
    assert ids_on(second) == set(threads[2] + threads[3])
    assert ids_on(third) == set(threads[4])
    assert "Newer comments →" in first and "Older comments" not in first
    assert "← Older comments" in third and "Newer comments" not in third
    assert "15 thoughts on “Drift”" in second
    assert client.get(f"/posts/{slug}?cpage=4").status_code == 404
    assert client.get(f"/posts/{slug}?cpage=0").status_code == 404


def test_reply_link_on_a_later_page_keeps_the_page(client, app, slug):
    app.config["COMMENTS_PER_PAGE"] = 1
    make_comment(app, slug, "one")
    second = make_comment(app, slug, "two")
    page = page_of(client, f"/posts/{slug}?cpage=2")
    assert f"/posts/{slug}?cpage=2&amp;replytocom={second}#respond" in page


def test_new_reply_redirects_to_the_page_of_its_thread(client, app, slug, auth):
    from tests.conftest import post_form

    app.config["COMMENTS_PER_PAGE"] = 1
    make_comment(app, slug, "one")
    second = make_comment(app, slug, "two")
    auth.login("reader")
    response = post_form(client, f"/posts/{slug}/comments?cpage=2", {"body": "answer", "parent_id": str(second)})
    assert re.fullmatch(rf"/posts/{slug}\?cpage=2#comment-\d+", response.headers["Location"])


# --- speed by construction ------------------------------------------------------------------------

def _grow_discussion(app, slug, total):
    """About half replies, up to depth 5, with some likes."""
    parents: list[int] = []
    made = 0
    while made < total:
        chain = make_thread(app, slug, min(5, total - made))
        parents += chain
        made += len(chain)
    for comment_id in parents[:: 7]:
        like_comment(app, comment_id, "Ana")


@pytest.mark.parametrize("viewer", [None, "Ana"])
def test_post_page_queries_do_not_grow_with_comments(client, app, slug, auth, viewer):
    app.config["PAGE_CACHE"] = False  # the drawing of the page itself; the cache has its own test
    if viewer:
        auth.login(viewer)
    _grow_discussion(app, slug, 5)
    with count_queries(app) as few:
        assert client.get(f"/posts/{slug}").status_code == 200
    _grow_discussion(app, slug, 495)
    with count_queries(app) as many:
        page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "500 thoughts on “Drift”" in page
    assert len(many) == len(few), many
    assert len(few) <= 8, few  # user, post, rules, thread count, comments, held, likes, neighbouring essays


@pytest.mark.parametrize(("viewer", "most"), [(None, 1), ("Ana", 3)])
def test_a_cached_page_costs_a_few_small_queries_whatever_its_size(client, app, slug, auth, viewer, most):
    """Signed out: the post with its rules. Signed in: also the account and the reader's own marks."""
    if viewer:
        auth.login(viewer)
        client.get("/")  # the welcome message is shown once, on a page of its own
    _grow_discussion(app, slug, 300)
    client.get(f"/posts/{slug}")  # drawn once, then shared
    with count_queries(app) as queries:
        page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "300 thoughts on “Drift”" in page
    assert len(queries) <= most, queries


# --- what the page's script asks for -------------------------------------------------------------

JSON = {"Accept": "application/json"}


def test_comment_count_gives_the_public_count_and_the_heading(client, app, slug):
    make_comment(app, slug, "one")
    make_comment(app, slug, "two", author="Ana")
    response = client.get(f"/posts/{slug}/comments/count")
    assert response.status_code == 200
    assert response.get_json() == {"comment_count": 2, "heading": "2 thoughts on “Drift”"}


def test_comment_count_of_a_draft_or_unknown_post_is_404(client, app, slug, auth):
    draft = make_post(app, title="Unfinished", publish=False)
    response = client.get(f"/posts/{draft}/comments/count", headers=JSON)
    assert response.status_code == 404 and response.get_json()["error"] == "There is nothing at this address."
    assert client.get("/posts/no-such-post/comments/count").status_code == 404
    auth.login("author")  # the draft's author may watch it
    assert client.get(f"/posts/{draft}/comments/count").get_json()["heading"] == "No comments yet"


def test_comment_count_takes_only_get(client, slug):
    response = client.post(f"/posts/{slug}/comments/count")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_threads_fragment_holds_a_page_of_threads_and_no_page_around_them(client, app, slug):
    app.config["COMMENTS_PER_PAGE"] = 1
    first = make_thread(app, slug, 2)
    second = make_comment(app, slug, "A later thought.", author="Ana")
    response = client.get(f"/posts/{slug}/threads")
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<html" not in fragment and "Leave a Reply" not in fragment
    assert {int(i) for i in re.findall(r'<li id="comment-(\d+)"', fragment)} == set(first)
    later = page_of(client, f"/posts/{slug}/threads?cpage=2")
    assert f'id="comment-{second}"' in later and "A later thought." in later


def test_threads_of_a_draft_or_past_the_last_page_are_404(client, app, slug):
    make_comment(app, slug, "only one")
    draft = make_post(app, title="Unfinished", publish=False)
    assert client.get(f"/posts/{draft}/threads").status_code == 404
    assert client.get(f"/posts/{slug}/threads?cpage=2").status_code == 404
    assert client.get(f"/posts/{slug}/threads?cpage=0").status_code == 404


def test_threads_take_only_get(client, slug):
    response = client.post(f"/posts/{slug}/threads")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_preview_renders_the_comment_as_it_would_be_stored_and_saves_nothing(client, app, slug):
    response = post_form(client, "/comments/preview", {"body": "**soft** <script>alert(1)</script> [x](//evil.example)"},
                         headers=JSON)
    html = response.get_json()["html"]
    assert response.status_code == 200
    assert "<strong>soft</strong>" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert "evil.example" not in html
    assert count_rows(app, Comment) == 0


def test_preview_without_a_csrf_token_is_refused(client, slug):
    response = client.post("/comments/preview", data={"body": "*soft*"}, headers=JSON)
    assert response.status_code == 400 and "This form has expired" in response.get_json()["error"]


def test_preview_takes_only_post(client):
    response = client.get("/comments/preview?body=hi")
    assert response.status_code == 405 and response.headers["Allow"].split(", ").count("POST") == 1
