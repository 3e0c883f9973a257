"""Leaving comments and replies under an essay, as readers and as guests."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.models import Comment, CommentStatus
from tests.conftest import post_form
from tests.factories import count_rows, make_comment, make_post, make_thread, stored


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Letters We Never Sent")


def comment(client, slug, body="A thought of my own.", **fields):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **fields})


GUEST = {"name": "Wren", "email": "wren@example.net", "website": "https://wren.example"}


# --- the form ------------------------------------------------------------------------------------

def test_guest_sees_the_reply_form_with_name_email_and_website(client, slug):
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Leave a Reply" in page and ">Comment</label>" in page and ">Post Comment</button>" in page
    for label in ("Name", "Email", "Website"):
        assert f">{label}</label>" in page
    assert "No comments yet" in page and "be the first" in page


def test_signed_in_reader_writes_only_the_text(client, slug, auth):
    auth.login("reader")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert ">Comment</label>" in page and "Logged in as reader." in page
    assert ">Name</label>" not in page and ">Email</label>" not in page


# --- leaving a comment -----------------------------------------------------------------------------

def test_reader_comment_redirects_to_its_anchor_and_shows(client, app, slug, auth):
    auth.login("reader")
    response = comment(client, slug, "I kept **every** letter.")
    comment_id = int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))
    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{slug}#comment-{comment_id}"
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'id="comment-{comment_id}"' in page and "I kept <strong>every</strong> letter." in page
    assert "One thought on “Letters We Never Sent”" in page
    assert stored(app, Comment, comment_id, "ip_address") == "127.0.0.1"


def test_guest_comment_shows_the_name_linked_and_never_the_email(client, app, slug):
    response = comment(client, slug, "Passing through.", **GUEST)
    assert response.status_code == 302
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert '<a href="https://wren.example" rel="nofollow ugc noopener">Wren</a>' in page
    assert "wren@example.net" not in page


def test_guest_website_without_scheme_gets_https(client, app, slug):
    comment(client, slug, "hi", **{**GUEST, "website": "wren.example/blog"})
    assert 'href="https://wren.example/blog"' in client.get(f"/posts/{slug}").get_data(as_text=True)


def test_a_refused_form_shows_what_was_typed_and_an_accepted_one_stores_it_cleaned(client, app, slug):
    typed = {"name": "  Wren   Ames ", "email": "Wren@Example.NET", "website": "wren.example"}
    page = comment(client, slug, "", **typed).get_data(as_text=True)
    assert 'value="  Wren   Ames "' in page and 'value="Wren@Example.NET"' in page and 'value="wren.example"' in page
    assert comment(client, slug, "  Now with words.  ", **typed).status_code == 302
    with app.app_context():
        saved = db.session.scalars(db.select(Comment)).one()
        assert (saved.guest_name, saved.guest_email, saved.guest_website, saved.body_markdown) == (
            "Wren Ames", "wren@example.net", "https://wren.example", "Now with words.")


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name": "", "email": "a@example.org"}, "name", "Please give your name."),
        ({"name": "Wren", "email": ""}, "email", "Please give your email address"),
        ({"name": "Wren", "email": "not an email"}, "email", "That email address is not valid."),
        ({"name": "W" * 61, "email": "a@example.org"}, "name", "at most 60 characters"),
        ({"name": "Wren", "email": "a@example.org", "website": "javascript:alert(1)"}, "website", "http or https address"),
        ({"name": "Wren", "email": "a@example.org", "website": "ftp://x.example"}, "website", "http or https address"),
        ({"name": "Wren", "email": "a@example.org", "website": "http://[::1"}, "website", "http or https address"),
        ({"name": "Wren", "email": "a@example.org", "website": "https://[::1]:port/"}, "website", "http or https address"),
    ],
)
def test_guest_without_a_valid_identity_is_refused_and_keeps_the_text(client, app, slug, fields, field_id, message):
    response = comment(client, slug, "My words stay.", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field_id}-error"' in page and message in page
    assert "My words stay.</textarea>" in page
    assert count_rows(app, Comment) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Please write a comment before posting."), ("   \n  ", "Please write a comment before posting."),
     ("x" * 5001, "A comment is at most 5,000 characters; this one has 5,001.")],
)
def test_empty_or_overlong_body_is_refused_at_the_field(client, app, slug, auth, body, message):
    auth.login("reader")
    response = comment(client, slug, body)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="body-error"' in page and message in page
    assert count_rows(app, Comment) == 0


def test_a_body_of_exactly_5000_characters_is_accepted(client, app, slug, auth):
    auth.login("reader")
    assert comment(client, slug, "y" * 5000).status_code == 302
    assert count_rows(app, Comment) == 1


def test_markdown_is_rendered_and_html_is_not(client, slug, auth):
    auth.login("reader")
    comment(client, slug, "*soft* <script>alert('x')</script> [link](javascript:alert(1))")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "<em>soft</em>" in page and "&lt;script&gt;" in page
    assert "<script>alert" not in page and 'href="javascript' not in page


def test_comment_without_csrf_token_is_refused(client, app, slug, auth):
    auth.login("reader")
    response = client.post(f"/posts/{slug}/comments", data={"body": "sneaky"})
    assert response.status_code == 400 and count_rows(app, Comment) == 0


def test_comments_are_not_created_by_get(client, slug):
    assert client.get(f"/posts/{slug}/comments?body=hello").status_code == 405


def test_guest_comments_switched_off(client, app, slug):
    app.config["GUEST_COMMENTS"] = False
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "You must be <a" in page and "logged in</a> to post a comment." in page
    response = comment(client, slug, "hello", **GUEST)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert count_rows(app, Comment) == 0


def test_guest_comments_switched_off_a_script_gets_a_json_401_with_the_way_to_log_in(client, app, slug):
    app.config["GUEST_COMMENTS"] = False
    response = post_form(client, f"/posts/{slug}/comments", {"body": "hello", **GUEST},
                         headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json() == {
        "error": "Please log in to comment.", "login": f"/auth/login?next=/posts/{slug}%23respond",
    }
    assert count_rows(app, Comment) == 0


def test_comment_on_an_unknown_post_is_404(client, users, auth):
    auth.login("reader")
    assert comment(client, "no-such-post").status_code == 404


def test_comment_on_a_draft_is_refused(client, app, users, auth):
    draft = make_post(app, title="Unfinished", publish=False)
    auth.login("reader")
    assert comment(client, draft).status_code == 404
    auth.logout()
    auth.login("author")
    assert "Comments are closed." in client.get(f"/posts/{draft}").get_data(as_text=True)
    assert comment(client, draft).status_code == 403
    assert count_rows(app, Comment) == 0


# --- replies ---------------------------------------------------------------------------------------

def test_reply_link_works_without_javascript(client, app, slug):
    parent = make_comment(app, slug, "First!", author="Ana")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'href="/posts/{slug}?replytocom={parent}#respond"' in page and ">Reply</a>" in page
    reply_page = client.get(f"/posts/{slug}?replytocom={parent}").get_data(as_text=True)
    assert "Leave a reply to Ana" in reply_page and "Cancel reply" in reply_page
    assert f'id="comment_parent" name="parent_id" type="hidden" value="{parent}"' in reply_page


def test_reply_nests_under_its_parent(client, app, slug, auth):
    parent = make_comment(app, slug, "Parent words", author="Ana")
    auth.login("reader")
    response = comment(client, slug, "Child words", parent_id=str(parent))
    assert response.status_code == 302
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    parent_block = page[page.index(f'id="comment-{parent}"'):]
    assert parent_block.index('<ol class="children">') < parent_block.index("Child words")
    assert "2 thoughts on “Letters We Never Sent”" in page


def test_replies_stop_at_thread_depth(client, app, slug, auth):
    app.config["THREAD_DEPTH"] = 3
    chain = make_thread(app, slug, 3)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f"replytocom={chain[1]}" in page and f"replytocom={chain[2]}" not in page
    auth.login("reader")
    response = comment(client, slug, "too deep", parent_id=str(chain[2]))
    assert response.status_code == 422
    assert "This thread is as deep as it can go" in response.get_data(as_text=True)
    assert count_rows(app, Comment) == 3


def test_default_depth_is_five(client, app, slug):
    chain = make_thread(app, slug, 5)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f"replytocom={chain[3]}" in page and f"replytocom={chain[4]}" not in page


@pytest.mark.parametrize("case", ["other post", "missing", "not visible", "garbage"])
def test_reply_to_a_comment_outside_this_discussion_is_refused(client, app, slug, auth, case):
    other = make_post(app, title="Another essay")
    foreign = make_comment(app, other, "elsewhere")
    hidden = make_comment(app, slug, "hidden")
    with app.app_context():
        db.session.get(Comment, hidden).status = CommentStatus.TRASH
        db.session.commit()
    parent_id = {"other post": str(foreign), "missing": "999999", "not visible": str(hidden), "garbage": "12abc"}[case]
    auth.login("reader")
    response = comment(client, slug, "my reply", parent_id=parent_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not part of this discussion" in page or "That reply target is not valid." in page
    assert "my reply</textarea>" in page
    assert count_rows(app, Comment) == 2


def test_replytocom_to_an_unavailable_comment_falls_back_to_a_plain_comment(client, slug):
    response = client.get(f"/posts/{slug}?replytocom=424242")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leave a Reply" in page and "not available any more" in page


def test_replytocom_at_the_deepest_level_says_the_thread_is_as_deep_as_it_goes(client, app, slug):
    app.config["THREAD_DEPTH"] = 3
    chain = make_thread(app, slug, 3)
    response = client.get(f"/posts/{slug}?replytocom={chain[2]}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This thread is as deep as it can go, so that comment takes no more replies" in page
    assert "not available any more" not in page
    assert "Leave a Reply" in page and 'name="parent_id" type="hidden" value=""' in page
    # One level up it can still be answered.
    page = client.get(f"/posts/{slug}?replytocom={chain[1]}").get_data(as_text=True)
    assert "Leave a reply to reader" in page and "as deep as it can go" not in page


def test_guest_reply_is_refused_without_identity_and_saves_nothing(client, app, slug):
    parent = make_comment(app, slug, "Parent", author="Ana")
    response = comment(client, slug, "reply", parent_id=str(parent))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Leave a reply to Ana" in page
    assert count_rows(app, Comment) == 1


def test_concurrent_comments_all_land_and_the_count_stays_true(app, slug, users):
    import threading

    from community.services.counts import find_drift
    from tests.conftest import PASSWORD

    clients = []
    for name in ("reader", "Ana", "author", "other_author", "moderator", "admin") * 2:
        client = app.test_client()
        post_form(client, "/auth/login", {"login": name, "password": PASSWORD})
        clients.append(client)
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def write(client, number):
        start.wait()
        statuses.append(comment(client, slug, f"at the same moment {number}").status_code)

    threads = [threading.Thread(target=write, args=(client, n)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    assert count_rows(app, Comment) == len(clients)
    with app.app_context():
        assert find_drift() == []
