"""What a newcomer stumbled on (issue 15): signing up brings you back, the files every browser asks
for, an empty discussion said once, the demo's accounts."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, post_form
from tests.factories import make_post
from tests.signup_mail import sign_up


def test_register_from_a_post_brings_the_newcomer_back_to_it(client, app, users):
    slug = make_post(app)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    register = re.search(r'href="(/auth/register[^"]*)"', page).group(1).replace("&amp;", "&")
    assert register == f"/auth/register?next=/posts/{slug}"
    form = client.get(register).get_data(as_text=True)
    assert f'name="next" type="hidden" value="/posts/{slug}"' in form
    done = sign_up(client, "newcomer", "new@example.org", next_path=f"/posts/{slug}")
    assert done.status_code == 302 and done.headers["Location"] == f"/posts/{slug}"


def test_register_never_sends_anyone_off_the_site(client, users):
    done = sign_up(client, "newcomer", "new@example.org", next_path="//evil.example/")
    assert done.headers["Location"] == "/"


def test_favicon_and_robots_answer(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon" and icon.data[:4] == b"\x00\x00\x01\x00"
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert "Disallow: /moderation/" in robots.get_data(as_text=True)


def test_an_empty_discussion_says_no_comments_yet_once(client, app, users):
    slug = make_post(app)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert page.count("No comments yet") == 1 and "be the first to say something" in page


# --- the essay editor: the button says what happens ----------------------------------------------------

def test_the_editor_offers_save_draft_and_publish_and_nothing_is_published_by_default(client, app, users, auth):
    auth.login("author")
    page = client.get("/posts/new").get_data(as_text=True)
    assert ">Save draft</button>" in page and ">Publish</button>" in page and "Published" not in page
    saved = post_form(client, "/posts/new", {"title": "Half Done", "body": "words", "save_draft": "Save draft"})
    assert saved.status_code == 302
    with app.app_context():
        from tests.factories import post_by_slug

        assert not post_by_slug("half-done").is_published
    assert client.get("/").get_data(as_text=True).count("Half Done") == 0


def test_publishing_then_updating_then_unpublishing(client, app, users, auth):
    from tests.factories import post_by_slug

    auth.login("author")
    post_form(client, "/posts/new", {"title": "Done", "body": "words", "publish": "Publish"})
    with app.app_context():
        assert post_by_slug("done").is_published
    page = client.get("/posts/done/edit").get_data(as_text=True)
    assert ">Update</button>" in page and ">Unpublish</button>" in page and ">Publish</button>" not in page
    post_form(client, "/posts/done/edit", {"title": "Done", "body": "more words", "update": "Update"})
    with app.app_context():
        assert post_by_slug("done").is_published and post_by_slug("done").body_markdown == "more words"
    response = post_form(client, "/posts/done/edit", {"title": "Done", "body": "more words", "unpublish": "Unpublish"})
    assert response.status_code == 302
    with app.app_context():
        assert not post_by_slug("done").is_published
    assert "a draft again" in client.get("/posts/done").get_data(as_text=True)


def test_the_preview_shows_above_the_editor(client, app, users, auth):
    auth.login("author")
    page = post_form(client, "/posts/new", {"title": "Seen", "body": "*soft*", "preview": "Preview"}).get_data(as_text=True)
    assert page.index('id="preview-heading"') < page.index('name="title"')


# --- a comment refused without script: the page opens at the form, errors summed up at its top -----------

def test_a_refused_comment_lands_on_the_form_with_an_error_summary_linking_each_field(client, app, users):
    slug = make_post(app)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'action="/posts/{slug}/comments#respond"' in page  # the answer opens at the form
    response = post_form(client, f"/posts/{slug}/comments", {"body": "", "name": "Wren", "email": "not an address"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S).group(0)
    assert "There is a problem" in summary
    assert re.search(r'<a href="#body">[^<]*comment', summary) and re.search(r'<a href="#email">[^<]*not valid', summary)
    assert page.index('id="respond"') < page.index('class="error-summary"') < page.index('id="commentform"')
    assert 'value="Wren"' in page and 'value="not an address"' in page  # what was typed stays


def test_a_page_without_errors_has_no_summary(client, app, users):
    slug = make_post(app)
    assert "error-summary" not in client.get(f"/posts/{slug}").get_data(as_text=True)


# --- a guest's Like: explained, and applied after the login --------------------------------------------

def test_a_guests_like_is_explained_and_applied_after_logging_in(client, app, users):
    from community.models import Comment
    from tests.factories import make_comment, stored

    slug = make_post(app)
    comment_id = make_comment(app, slug, "like me", "Ana")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    link = re.search(rf'<a class="like-button" href="(/auth/login\?[^"]*like=c{comment_id}[^"]*)"', page).group(1)
    login_page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Log in to like this comment" in login_page and f'value="c{comment_id}"' in login_page
    done = post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD, "like": f"c{comment_id}",
                                              "next": f"/posts/{slug}#comment-{comment_id}"})
    assert done.status_code == 302 and done.headers["Location"] == f"/posts/{slug}#comment-{comment_id}"
    assert stored(app, Comment, comment_id, "like_count") == 1


@pytest.mark.parametrize("like", ["c999999", "x1", "c", "c1e5", "p0", "c99999999999"])
def test_a_like_that_cannot_be_applied_after_login_changes_nothing(client, app, users, like):
    response = post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD, "like": like})
    assert response.status_code == 302
