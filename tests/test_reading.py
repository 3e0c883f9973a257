"""How a reader moves through a discussion (issue 15): a guest's details kept in their browser when
they ask, the links that skip to the form and to the discussion, previous and next essays, and
the order of the threads."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from community.comments.guest_browser import DETAILS_COOKIE
from tests.conftest import post_form
from tests.factories import make_comment, make_post

GUEST = {"name": "Wren Ó", "email": "wren@example.net", "website": "https://wren.example/"}


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Open Doors")


def comment(client, slug, body="A considered reply.", headers=None, **fields):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **GUEST, **fields}, headers=headers)


def set_cookie_header(response, name: str) -> str:
    return next((value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")), "")


# --- 8: "Save my name, email, and website in this browser" ---------------------------------------------

def test_the_save_box_is_offered_to_guests_unticked(client, slug):
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Save my name, email, and website in this browser for the next time I comment." in page
    assert 'name="save_details"' in page and 'name="save_details" type="checkbox" value="y" checked' not in page


def test_the_save_box_is_not_offered_to_accounts(client, slug, auth):
    auth.login("reader")
    assert "Save my name, email" not in client.get(f"/posts/{slug}").get_data(as_text=True)


def test_a_guest_who_ticks_the_box_gets_their_details_in_a_cookie(client, slug):
    answer = comment(client, slug, save_details="y")
    assert answer.status_code == 302
    header = set_cookie_header(answer, DETAILS_COOKIE)
    assert "SameSite=Lax" in header and "HttpOnly" not in header and "Max-Age=" in header
    value = client.get_cookie(DETAILS_COOKIE).value
    assert json.loads(unquote(value)) == {"name": "Wren Ó", "email": "wren@example.net", "website": "https://wren.example/"}


def test_a_guest_who_posts_with_the_box_unticked_has_the_cookie_cleared(client, slug):
    comment(client, slug, "The first word.", save_details="y")
    assert client.get_cookie(DETAILS_COOKIE) is not None
    answer = comment(client, slug, "A second, unsaved.")
    assert answer.status_code == 302 and client.get_cookie(DETAILS_COOKIE) is None


def test_without_the_box_no_cookie_is_set(client, slug):
    answer = comment(client, slug)
    assert answer.status_code == 302 and set_cookie_header(answer, DETAILS_COOKIE) == ""


def test_a_refused_comment_keeps_the_cookie_as_it_was(client, slug):
    answer = comment(client, slug, email="not an address", save_details="y")
    assert answer.status_code == 422 and client.get_cookie(DETAILS_COOKIE) is None


def test_the_shared_page_never_prints_a_saved_guests_details(app, client, slug):
    comment(client, slug, save_details="y")
    for reader in (client, app.test_client()):  # the guest who saved them, and another guest
        page = reader.get(f"/posts/{slug}").get_data(as_text=True)
        assert "wren@example.net" not in page and 'value="Wren' not in page


def test_a_script_posting_the_comment_gets_the_cookie_too(client, slug):
    answer = comment(client, slug, save_details="y", headers={"Accept": "application/json"})
    assert answer.status_code == 201 and client.get_cookie(DETAILS_COOKIE) is not None


# --- 11: the way to the form and to the discussion -----------------------------------------------------

def test_a_discussion_with_threads_links_to_the_form(client, app, slug):
    make_comment(app, slug, "Here first.", "Ana")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert '<a id="leave-comment-link" href="#respond">Leave a comment</a>' in page


def test_no_skip_link_without_threads_or_when_closed(client, app, slug):
    assert "Leave a comment" not in client.get(f"/posts/{slug}").get_data(as_text=True)
    closed = make_post(app, title="Shut")
    make_comment(app, closed, "Before closing.", "Ana")
    from community.extensions import db
    from tests.factories import post_by_slug

    with app.app_context():
        post_by_slug(closed).comments_closed = True
        db.session.commit()
    assert "Leave a comment" not in client.get(f"/posts/{closed}").get_data(as_text=True)


@pytest.mark.parametrize(("comments", "label"), [(0, "No comments"), (1, "1 comment"), (2, "2 comments")])
def test_the_essays_header_links_to_its_discussion_with_the_count(client, app, slug, comments, label):
    for number in range(comments):
        make_comment(app, slug, f"Thought {number}.", "Ana")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    header = page[page.index('class="essay__header"'):page.index("</header>", page.index('class="essay__header"'))]
    assert f'<a href="#comments">{label}</a>' in header
    assert page.count("No comments yet") == (1 if comments == 0 else 0)


# --- 13: previous and next essays ------------------------------------------------------------------------

def post_nav(page: str) -> str:
    if 'class="post-nav"' not in page:
        return ""
    start = page.index('class="post-nav"')
    return page[start:page.index("</nav>", start)]


def test_a_post_links_to_the_essays_published_before_and_after_it(client, app, users):
    oldest = make_post(app, title="First Light", days_ago=3)
    middle = make_post(app, title="Second <Wind>", days_ago=2)
    newest = make_post(app, title="Third Act", days_ago=1)
    make_post(app, title="Unfinished", publish=False)
    nav = post_nav(client.get(f"/posts/{middle}").get_data(as_text=True))
    assert f'<a rel="prev" href="/posts/{oldest}">First Light</a>' in nav
    assert f'<a rel="next" href="/posts/{newest}">Third Act</a>' in nav
    first = post_nav(client.get(f"/posts/{oldest}").get_data(as_text=True))
    assert 'rel="prev"' not in first and f'<a rel="next" href="/posts/{middle}">Second &lt;Wind&gt;</a>' in first
    last = post_nav(client.get(f"/posts/{newest}").get_data(as_text=True))
    assert 'rel="next"' not in last and "Unfinished" not in last


def test_a_lone_post_and_a_draft_have_no_neighbours(client, app, users, auth):
    only = make_post(app, title="Alone")
    assert post_nav(client.get(f"/posts/{only}").get_data(as_text=True)) == ""
    draft = make_post(app, title="Draft", publish=False)
    auth.login("author")
    assert post_nav(client.get(f"/posts/{draft}").get_data(as_text=True)) == ""


def test_a_cached_page_links_to_a_post_published_after_it_was_drawn(client, app, users, auth):
    assert app.config["PAGE_CACHE"]
    first = make_post(app, title="Early", days_ago=1)
    assert 'rel="next"' not in post_nav(client.get(f"/posts/{first}").get_data(as_text=True))  # drawn, kept
    later = make_post(app, title="Later")
    assert f'<a rel="next" href="/posts/{later}">Later</a>' in post_nav(client.get(f"/posts/{first}").get_data(as_text=True))
    # Retitled, then unpublished: the cached page follows both.
    auth.login("author")
    post_form(client, f"/posts/{later}/edit", {"title": "Later Still", "body": "Some words.", "publish": "Publish"})
    assert ">Later Still</a>" in post_nav(app.test_client().get(f"/posts/{first}").get_data(as_text=True))
    post_form(client, f"/posts/{later}/edit", {"title": "Later Still", "body": "Some words.", "unpublish": "Unpublish"})
    assert post_nav(app.test_client().get(f"/posts/{first}").get_data(as_text=True)) == ""


# --- 18: the order of the threads ----------------------------------------------------------------------

@pytest.fixture
def threads(app, slug):
    """Three threads, each with a reply: the middle one's root most liked, the last one's next."""
    from tests.factories import like_comment

    roots = [make_comment(app, slug, f"Root {name}.", "Ana") for name in ("one", "two", "three")]
    for name, root in zip(("one", "two", "three"), roots):
        make_comment(app, slug, f"Reply to {name}.", "reader", parent_id=root)
    for liker in ("reader", "author", "moderator"):
        like_comment(app, roots[1], liker)
    like_comment(app, roots[2], "reader")
    return roots


def shown_order(page: str, *texts: str) -> list[str]:
    return sorted(texts, key=page.index)


ROOTS = ("Root one.", "Root two.", "Root three.")


@pytest.mark.parametrize(("order", "expected"), [
    (None, ["Root one.", "Reply to one.", "Root two.", "Reply to two.", "Root three.", "Reply to three."]),
    ("oldest", ["Root one.", "Reply to one.", "Root two.", "Reply to two.", "Root three.", "Reply to three."]),
    ("newest", ["Root three.", "Reply to three.", "Root two.", "Reply to two.", "Root one.", "Reply to one."]),
    ("liked", ["Root two.", "Reply to two.", "Root three.", "Reply to three.", "Root one.", "Reply to one."]),
    ("sideways", ["Root one.", "Reply to one.", "Root two.", "Reply to two.", "Root three.", "Reply to three."]),
    ("", ["Root one.", "Reply to one.", "Root two.", "Reply to two.", "Root three.", "Reply to three."]),
])
def test_threads_are_sorted_whole_in_each_order_and_a_bad_order_is_the_default(client, slug, threads, order, expected):
    answer = client.get(f"/posts/{slug}", query_string={"corder": order} if order is not None else None)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert shown_order(page, *expected) == expected
    chosen = order if order in ("newest", "liked") else "oldest"
    assert f'<option value="{chosen}" selected>' in page
    assert 'Sort comments' in page


def test_the_chosen_order_is_kept_in_a_cookie_and_back_to_the_default_clears_it(client, slug, threads):
    answer = client.get(f"/posts/{slug}?corder=newest")
    assert "comment_order=newest" in set_cookie_header(answer, "comment_order")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)  # no query: the cookie's order
    assert shown_order(page, *ROOTS) == ["Root three.", "Root two.", "Root one."]
    answer = client.get(f"/posts/{slug}?corder=oldest")
    assert client.get_cookie("comment_order") is None
    assert shown_order(answer.get_data(as_text=True), *ROOTS) == list(ROOTS)


def test_a_bad_cookie_is_the_default(client, slug, threads):
    client.set_cookie("comment_order", "<script>")
    answer = client.get(f"/posts/{slug}")
    assert answer.status_code == 200 and shown_order(answer.get_data(as_text=True), *ROOTS) == list(ROOTS)


def test_cached_orders_never_mix(app, client, slug, threads):
    assert app.config["PAGE_CACHE"]
    newest = app.test_client()
    newest.get(f"/posts/{slug}?corder=newest")
    for _ in range(2):  # drawn, then from the cache
        assert shown_order(client.get(f"/posts/{slug}").get_data(as_text=True), *ROOTS) == list(ROOTS)
        assert shown_order(newest.get(f"/posts/{slug}").get_data(as_text=True), *ROOTS) == ["Root three.", "Root two.", "Root one."]


def test_the_most_liked_order_follows_new_likes_on_a_cached_page(app, client, slug, threads):
    from tests.factories import like_comment

    assert shown_order(client.get(f"/posts/{slug}?corder=liked").get_data(as_text=True), *ROOTS)[0] == "Root two."
    for liker in ("author", "moderator", "admin", "other_author"):
        like_comment(app, threads[0], liker)
    assert shown_order(client.get(f"/posts/{slug}?corder=liked").get_data(as_text=True), *ROOTS)[0] == "Root one."


@pytest.fixture
def one_per_page(app):
    app.config["COMMENTS_PER_PAGE"] = 1


@pytest.mark.parametrize(("order", "pages"), [("oldest", [1, 2, 3]), ("newest", [3, 2, 1]), ("liked", [3, 1, 2])])
def test_permalinks_and_pages_follow_each_order(client, app, slug, threads, one_per_page, order, pages):
    if order != "oldest":
        client.get(f"/posts/{slug}?corder={order}")  # chosen: the cookie remembers it
    for root, page in zip(threads, pages):
        location = client.get(f"/comments/{root}").headers["Location"]
        expected_query = [f"cpage={page}"] if page > 1 else []
        if order != "oldest":
            expected_query.append(f"corder={order}")
        assert location == f"/posts/{slug}" + ("?" + "&".join(expected_query) if expected_query else "") + f"#comment-{root}"
        shown = client.get(location).get_data(as_text=True)
        assert f'id="comment-{root}"' in shown
        assert sum(f'id="comment-{other}"' in shown for other in threads) == 1  # one thread a page, never split


def test_links_on_a_sorted_page_keep_the_order(client, app, slug, threads, one_per_page):
    page = client.get(f"/posts/{slug}?corder=newest").get_data(as_text=True)
    assert f'href="/posts/{slug}?cpage=2&amp;corder=newest#comments">Older comments →' in page
    assert f"replytocom={threads[2]}" in page and f"corder=newest&amp;replytocom={threads[2]}" in page
    assert f'action="/posts/{slug}/comments?corder=newest#respond"' in page
    replying = client.get(f"/posts/{slug}?corder=newest&replytocom={threads[2]}")
    assert replying.status_code == 200 and "Leave a reply to Ana" in replying.get_data(as_text=True)


def test_a_new_comment_lands_on_its_page_in_the_readers_order(client, app, slug, threads, one_per_page):
    client.get(f"/posts/{slug}?corder=newest")
    answer = post_form(client, f"/posts/{slug}/comments?corder=newest", {"body": "Newest of all.", **GUEST})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"/posts/{slug}?corder=newest#comment-")


def test_a_sorted_page_past_the_end_is_a_404(client, slug, threads, one_per_page):
    assert client.get(f"/posts/{slug}?corder=liked&cpage=4").status_code == 404
    assert client.get(f"/posts/{slug}?corder=liked&cpage=3").status_code == 200


@pytest.mark.parametrize("order", ["newest", "liked"])
def test_sorted_page_queries_do_not_grow_with_comments(client, app, slug, order):
    from tests.factories import like_comment
    from tests.query_counter import count_queries

    app.config["PAGE_CACHE"] = False
    roots = [make_comment(app, slug, f"Early {n}.", "Ana") for n in range(3)]
    with count_queries(app) as few:
        assert client.get(f"/posts/{slug}?corder={order}").status_code == 200
    for n in range(40):
        parent = make_comment(app, slug, f"Later {n}.", "Ana")
        make_comment(app, slug, f"Reply {n}.", "reader", parent_id=parent)
    like_comment(app, roots[0], "reader")
    with count_queries(app) as many:
        assert client.get(f"/posts/{slug}?corder={order}").status_code == 200
    assert len(many) == len(few), many


@pytest.mark.parametrize(("order", "page", "first"), [("oldest", 3, False), ("newest", 1, True), ("liked", 3, False)])
def test_a_held_new_thread_is_shown_to_a_moderator_where_a_new_thread_goes(client, app, slug, threads, one_per_page, auth,
                                                                           order, page, first):
    from community.extensions import db
    from community.models import Comment, CommentStatus

    held = make_comment(app, slug, "Waiting my turn.", "Ana")
    with app.app_context():
        db.session.get(Comment, held).status = CommentStatus.PENDING
        db.session.commit()
    auth.login("moderator")
    shown = client.get(f"/posts/{slug}", query_string={"corder": order, "cpage": page}).get_data(as_text=True)
    assert "Waiting my turn." in shown
    public_root = next(text for text in ROOTS if text in shown)
    assert (shown.index("Waiting my turn.") < shown.index(public_root)) == first
    others = [p for p in (1, 2, 3) if p != page]
    for other in others:
        assert "Waiting my turn." not in client.get(f"/posts/{slug}", query_string={"corder": order, "cpage": other}).get_data(as_text=True)
