"""Posts: the index, a post's page, drafts, and the author's editor."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Post
from community.services.posts import slugify
from tests.conftest import post_form
from tests.factories import make_post
from tests.query_counter import count_queries


def post_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Post.id)))


# --- the index -----------------------------------------------------------------------------------

def test_index_lists_published_posts_newest_first_with_their_details(client, app, users):
    make_post(app, title="Older essay", days_ago=3)
    make_post(app, title="Newer essay", body="The **opening** lines of it.", days_ago=1)
    make_post(app, title="Hidden draft", publish=False)
    page = client.get("/").get_data(as_text=True)
    assert page.index("Newer essay") < page.index("Older essay")
    assert "Hidden draft" not in page
    assert 'By <a href="/people/author">author</a>' in page and re.search(r"<time [^>]*datetime=", page)
    assert "The opening lines of it." in page  # the excerpt, as plain text
    assert "No comments yet" in page and "0 likes" in page


def test_index_pages_ten_posts_at_a_time(client, app, users):
    for number in range(12):
        make_post(app, title=f"Essay {number:02}", days_ago=20 - number)
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert first.count('class="post-summary"') == 10 and second.count('class="post-summary"') == 2
    assert "Essay 11" in first and "Essay 00" in second and "Older essays" in first
    assert client.get("/?page=9").status_code == 404


def test_empty_index_says_so(client):
    assert "No essays are published yet." in client.get("/").get_data(as_text=True)


def test_index_queries_do_not_grow_with_its_posts(client, app, users):
    make_post(app, title="Only one")
    with count_queries(app) as few:
        one = client.get("/")
    assert one.status_code == 200 and one.get_data(as_text=True).count('class="post-summary"') == 1
    for number in range(9):
        make_post(app, title=f"More {number}")
    with count_queries(app) as many:
        ten = client.get("/")
    assert ten.status_code == 200 and ten.get_data(as_text=True).count('class="post-summary"') == 10
    assert len(many) == len(few)


# --- a post's page -------------------------------------------------------------------------------

def test_post_page_shows_the_essay_rendered_and_sanitized(client, app, users):
    slug = make_post(app, title="Letters unsent", body="**Bold** move.\n\n<script>alert(1)</script>")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "<h1 class=\"essay__title\">Letters unsent</h1>" in page
    assert "<strong>Bold</strong>" in page and "<script>alert" not in page
    assert "&lt;script&gt;" in page and 'By <a href="/people/author">author</a>' in page


def test_unknown_post_is_404(client):
    response = client.get("/posts/no-such-post")
    assert response.status_code == 404 and "There is nothing at this address." in response.get_data(as_text=True)


@pytest.mark.parametrize(("viewer", "status"), [(None, 404), ("reader", 404), ("other_author", 404), ("moderator", 404), ("author", 200), ("admin", 200)])
def test_drafts_are_404_to_all_but_their_author_and_admins(client, app, users, auth, viewer, status):
    slug = make_post(app, title="Not yet", publish=False)
    if viewer:
        auth.login(viewer)
    assert client.get(f"/posts/{slug}").status_code == status


# --- writing ---------------------------------------------------------------------------------------

def test_new_post_needs_login(client, users):
    response = client.get("/posts/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(("role", "status"), [("reader", 403), ("moderator", 403), ("author", 200), ("admin", 200)])
def test_only_authors_and_admins_may_write(client, users, auth, role, status):
    auth.login(role)
    assert client.get("/posts/new").status_code == status
    response = post_form(client, "/posts/new", {"title": "Mine", "body": "words", "publish": "y", "save": "Save"})
    assert response.status_code == (302 if status == 200 else 403)


def test_author_publishes_a_post_with_a_slug_from_its_title(client, app, users, auth):
    auth.login("author")
    response = post_form(client, "/posts/new", {"title": "Café Friends, Ten Years On!", "body": "Hello *there*", "publish": "y", "save": "Save"})
    assert response.headers["Location"] == "/posts/cafe-friends-ten-years-on"
    page = client.get("/posts/cafe-friends-ten-years-on").get_data(as_text=True)
    assert "Your post is published." in page and "<em>there</em>" in page
    assert "Café Friends, Ten Years On!" in client.get("/").get_data(as_text=True)


def test_unticked_publish_saves_a_draft(client, app, users, auth):
    auth.login("author")
    post_form(client, "/posts/new", {"title": "Half done", "body": "notes", "save": "Save"})
    assert "Half done" not in client.get("/").get_data(as_text=True)
    assert "Half done" in client.get("/drafts").get_data(as_text=True)


def test_slugs_stay_unique(client, app, users):
    assert [make_post(app, title="Same title") for _ in range(3)] == ["same-title", "same-title-2", "same-title-3"]
    assert make_post(app, title="New") == "new-2"  # /posts/new is the editor
    assert make_post(app, title="日本語") == "post"


def test_slugify_folds_accents_and_punctuation():
    assert slugify("  Ça va? Über-Naïve  “Friends” ") == "ca-va-uber-naive-friends"


def test_preview_shows_the_sanitized_html_and_saves_nothing(client, app, users, auth):
    auth.login("author")
    response = post_form(client, "/posts/new", {"title": "Draft", "body": "**loud** <script>x</script>", "preview": "Preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>loud</strong>" in page and "<script>x" not in page
    assert "**loud**" in page  # the text box keeps what was typed
    assert post_count(app) == 0


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"title": "", "body": "words"}, "title", "A post needs a title."),
        ({"title": "   ", "body": "words"}, "title", "A post needs a title."),
        ({"title": "t" * 201, "body": "words"}, "title", "at most 200 characters"),
        ({"title": "Fine", "body": ""}, "body", "A post needs some words."),
        ({"title": "Fine", "body": "x" * 100_001}, "body", "at most 100,000 characters"),
    ],
)
def test_bad_post_shows_errors_at_the_field_and_saves_nothing(client, app, users, auth, fields, field_id, message):
    auth.login("author")
    response = post_form(client, "/posts/new", {**fields, "save": "Save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field_id}-error"' in page and message in page
    assert post_count(app) == 0


def test_new_post_without_csrf_is_refused(client, app, users, auth):
    auth.login("author")
    assert client.post("/posts/new", data={"title": "x", "body": "y", "save": "Save"}).status_code == 400
    assert post_count(app) == 0


# --- editing ---------------------------------------------------------------------------------------

def test_author_edits_and_the_slug_stays(client, app, users, auth):
    slug = make_post(app, title="First title")
    auth.login("author")
    form = client.get(f"/posts/{slug}/edit").get_data(as_text=True)
    assert 'value="First title"' in form
    response = post_form(client, f"/posts/{slug}/edit", {"title": "A better title", "body": "New **body**", "publish": "y", "save": "Save"})
    assert response.headers["Location"] == f"/posts/{slug}"
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "A better title" in page and "<strong>body</strong>" in page


@pytest.mark.parametrize(("role", "status"), [("reader", 403), ("other_author", 403), ("moderator", 403), ("admin", 200), ("author", 200)])
def test_who_may_edit_a_post(client, app, users, auth, role, status):
    slug = make_post(app)
    auth.login(role)
    assert client.get(f"/posts/{slug}/edit").status_code == status
    response = post_form(client, f"/posts/{slug}/edit", {"title": "Changed", "body": "x", "publish": "y", "save": "Save"})
    assert response.status_code == (302 if status == 200 else 403)
    with app.app_context():
        title = db.session.scalar(sa.select(Post.title).where(Post.slug == slug))
    assert (title == "Changed") == (status == 200)


def test_edit_needs_login(client, app, users):
    slug = make_post(app)
    assert client.get(f"/posts/{slug}/edit").status_code == 302


def test_edit_of_unknown_post_is_404(client, users, auth):
    auth.login("author")
    assert client.get("/posts/nothing-here/edit").status_code == 404


def test_bad_edit_keeps_the_text_and_changes_nothing(client, app, users, auth):
    slug = make_post(app, title="Keep me")
    auth.login("author")
    response = post_form(client, f"/posts/{slug}/edit", {"title": "", "body": "typed words", "publish": "y", "save": "Save"})
    assert response.status_code == 422 and "typed words" in response.get_data(as_text=True)
    assert "Keep me" in client.get(f"/posts/{slug}").get_data(as_text=True)


def test_edit_preview_shows_the_new_words_and_changes_nothing(client, app, users, auth):
    slug = make_post(app, title="Steady", body="The old words.")
    auth.login("author")
    response = post_form(client, f"/posts/{slug}/edit",
                         {"title": "Steady", "body": "The **new** words <script>x</script>", "publish": "y", "preview": "Preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>new</strong>" in page and "<script>x" not in page
    assert "The **new** words" in page  # the text box keeps what was typed
    published = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "The old words." in published and "<strong>new</strong>" not in published


def test_unpublishing_hides_the_post_again(client, app, users, auth):
    slug = make_post(app, title="Second thoughts")
    auth.login("author")
    post_form(client, f"/posts/{slug}/edit", {"title": "Second thoughts", "body": "x", "save": "Save"})
    auth.logout()
    assert client.get(f"/posts/{slug}").status_code == 404


# --- drafts list -------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "sees"), [("author", {"Mine"}), ("other_author", {"Theirs"}), ("admin", {"Mine", "Theirs"})])
def test_drafts_page_lists_your_drafts(client, app, users, auth, role, sees):
    make_post(app, "author", "Mine", publish=False)
    make_post(app, "other_author", "Theirs", publish=False)
    auth.login(role)
    page = client.get("/drafts").get_data(as_text=True)
    assert {title for title in ("Mine", "Theirs") if f">{title}</a>" in page} == sees


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("reader", 403), ("moderator", 403)])
def test_drafts_page_refuses_non_writers(client, users, auth, role, status):
    if role:
        auth.login(role)
    assert client.get("/drafts").status_code == status


def test_post_page_refuses_other_methods(client, app, users):
    slug = make_post(app)
    response = client.delete(f"/posts/{slug}")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PUT", "/posts/new", {"GET", "POST"}), ("DELETE", "/posts/new", {"GET", "POST"}),
     ("PUT", "/posts/{slug}/edit", {"GET", "POST"}), ("DELETE", "/posts/{slug}/edit", {"GET", "POST"}),
     ("POST", "/drafts", {"GET"}), ("DELETE", "/drafts", {"GET"})],
)
def test_the_editor_and_drafts_refuse_other_methods_and_change_nothing(client, app, users, auth, method, path, allowed):
    slug = make_post(app, title="Untouched")
    auth.login("author")
    response = client.open(path.format(slug=slug), method=method, data={"title": "Changed", "body": "x", "save": "Save"})
    assert response.status_code == 405
    assert allowed <= set(response.headers["Allow"].split(", "))
    assert "This address does not accept that kind of request." in response.get_data(as_text=True)
    assert post_count(app) == 1 and "Untouched" in client.get(f"/posts/{slug}").get_data(as_text=True)
