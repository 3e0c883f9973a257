"""Likes on posts and comments: by POST with CSRF, once per person, counted on the row."""

from __future__ import annotations

import threading

import pytest

from community.models import Comment, CommentLike, Post, PostLike
from tests.conftest import PASSWORD, post_form
from tests.factories import count_rows, like_post, make_comment, make_post, post_by_slug, stored


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Old Friends")


def post_id_of(app, slug) -> int:
    with app.app_context():
        return post_by_slug(slug).id


def like(client, path: str, liked: str = "1", **kwargs):
    return post_form(client, path, {"liked": liked}, **kwargs)


def test_reader_likes_and_unlikes_the_post(client, app, slug, auth):
    post_id = post_id_of(app, slug)
    auth.login("reader")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert 'aria-pressed="false">Like<' in page and "Liked by" not in page
    response = like(client, f"/likes/posts/{post_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{slug}#likes"
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert 'aria-pressed="true">Liked<' in page and "You like this" in page
    assert "People who liked this post" in page and "> reader</li>" in page
    like(client, f"/likes/posts/{post_id}", "0")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Liked by" not in page and stored(app, Post, post_id, "like_count") == 0


def test_pressing_like_twice_counts_once(client, app, slug, auth):
    post_id = post_id_of(app, slug)
    auth.login("reader")
    like(client, f"/likes/posts/{post_id}")
    like(client, f"/likes/posts/{post_id}")
    assert stored(app, Post, post_id, "like_count") == 1 and count_rows(app, PostLike) == 1
    like(client, f"/likes/posts/{post_id}", "0")
    like(client, f"/likes/posts/{post_id}", "0")
    assert stored(app, Post, post_id, "like_count") == 0 and count_rows(app, PostLike) == 0


def test_comment_like_answers_json_to_scripts(client, app, slug, auth):
    comment_id = make_comment(app, slug, "like me")
    auth.login("Ana")
    response = like(client, f"/likes/comments/{comment_id}", headers={"Accept": "application/json"})
    assert response.get_json() == {"liked": True, "count": 1, "label": "You like this"}
    auth.logout()
    auth.login("author")
    response = like(client, f"/likes/comments/{comment_id}", headers={"Accept": "application/json"})
    assert response.get_json()["label"] == "You and 1 other like this"
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "You and 1 other like this" in page and 'aria-pressed="true">Liked<span class="visually-hidden"> comment by reader' in page


def test_comment_like_without_javascript_returns_to_the_comment(client, app, slug, auth):
    comment_id = make_comment(app, slug, "like me")
    auth.login("Ana")
    response = like(client, f"/likes/comments/{comment_id}")
    assert response.headers["Location"] == f"/posts/{slug}#comment-{comment_id}"
    assert stored(app, Comment, comment_id, "like_count") == 1


def test_guest_like_button_sends_to_login_and_back(client, app, slug):
    comment_id = make_comment(app, slug, "like me")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'href="/auth/login?next=/posts/{slug}%23comment-{comment_id}&amp;like=c{comment_id}">Like' in page
    post_id = post_id_of(app, slug)
    response = like(client, f"/likes/posts/{post_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/auth/login?next=/posts/{slug}%23likes"
    response = like(client, f"/likes/comments/{comment_id}", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json()["error"] == "Please log in to like."
    assert count_rows(app, PostLike) == 0 and count_rows(app, CommentLike) == 0


def test_after_logging_in_the_guest_lands_back_on_the_post(client, app, slug):
    post_id = post_id_of(app, slug)
    login_url = like(client, f"/likes/posts/{post_id}").headers["Location"]
    next_path = login_url.split("next=")[1].replace("%23", "#")
    response = post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD, "next": next_path})
    assert response.headers["Location"] == f"/posts/{slug}#likes"


def test_like_with_a_bad_csrf_token_is_refused(client, app, slug, auth):
    post_id = post_id_of(app, slug)
    auth.login("reader")
    response = client.post(f"/likes/posts/{post_id}", data={"liked": "1", "csrf_token": "forged"})
    assert response.status_code == 400 and count_rows(app, PostLike) == 0


def test_like_by_get_is_refused(client, app, slug, auth):
    post_id = post_id_of(app, slug)
    auth.login("reader")
    assert client.get(f"/likes/posts/{post_id}").status_code == 405
    assert count_rows(app, PostLike) == 0


def test_comment_like_with_a_bad_or_missing_csrf_token_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Worth a like.", author="Ana")
    auth.login("reader")
    forged = client.post(f"/likes/comments/{comment_id}", data={"liked": "1", "csrf_token": "forged"})
    assert forged.status_code == 400 and "This form has expired" in forged.get_data(as_text=True)
    script = client.post(f"/likes/comments/{comment_id}", data={"liked": "1"}, headers={"Accept": "application/json"})
    assert script.status_code == 400 and "This form has expired" in script.get_json()["error"]
    assert count_rows(app, CommentLike) == 0 and stored(app, Comment, comment_id, "like_count") == 0


def test_comment_like_by_get_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Worth a like.", author="Ana")
    auth.login("reader")
    response = client.get(f"/likes/comments/{comment_id}?liked=1")
    assert response.status_code == 405 and response.headers["Allow"].split(", ").count("POST") == 1
    assert count_rows(app, CommentLike) == 0 and stored(app, Comment, comment_id, "like_count") == 0


def test_like_with_a_nonsense_state_is_a_400(client, app, slug, auth):
    auth.login("reader")
    assert like(client, f"/likes/posts/{post_id_of(app, slug)}", "maybe").status_code == 400


def test_likes_on_missing_draft_or_hidden_targets_are_404(client, app, slug, auth):
    draft = make_post(app, title="Draft", publish=False)
    hidden = make_comment(app, slug, "hidden")
    with app.app_context():
        from community.extensions import db

        db.session.get(Comment, hidden).status = "trash"
        db.session.commit()
    auth.login("reader")
    assert like(client, f"/likes/posts/{post_id_of(app, draft)}").status_code == 404
    assert like(client, "/likes/posts/999999").status_code == 404
    assert like(client, "/likes/comments/999999").status_code == 404
    assert like(client, f"/likes/comments/{hidden}").status_code == 404
    assert count_rows(app, PostLike) == 0 and count_rows(app, CommentLike) == 0


def test_comments_under_a_withdrawn_post_take_no_likes(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Said while it was public.")
    with app.app_context():
        from community.extensions import db

        post_by_slug(slug).status = "draft"
        db.session.commit()
    auth.login("admin")  # admins still read drafts
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Said while it was public." in page and f'action="/likes/comments/{comment_id}"' not in page
    assert like(client, f"/likes/comments/{comment_id}").status_code == 404
    assert count_rows(app, CommentLike) == 0


def test_liking_a_deleted_comment_is_404_even_signed_out(client, app, slug):
    comment_id = make_comment(app, slug, "Gone soon.")
    make_comment(app, slug, "A reply that keeps it as a tombstone.", "author", parent_id=comment_id)
    with app.app_context():
        from community.extensions import db
        from community.services.comments import delete_own_comment
        from tests.factories import user_named

        delete_own_comment(user_named("reader"), db.session.get(Comment, comment_id))
        db.session.commit()
    assert like(client, f"/likes/comments/{comment_id}").status_code == 404


def test_post_shows_twenty_likers_then_and_n_others(client, app, slug):
    from community.extensions import db
    from community.models import Role
    from community.services.accounts import create_account

    with app.app_context():
        for number in range(23):
            create_account(f"fan{number:02}", f"fan{number}@example.org", PASSWORD, Role.READER)
        db.session.commit()
    for number in range(23):
        like_post(app, slug, f"fan{number:02}")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Liked by 23 people" in page
    assert page.count('class="avatar avatar--small"') == 20
    assert "and 3 others" in page and "fan00" in page and "fan22" not in page


def test_concurrent_double_presses_count_once_and_never_fail(app, slug, users):
    post_id = post_id_of(app, slug)
    clients = []
    for _ in range(6):
        client = app.test_client()
        post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD})
        clients.append(client)
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def press(client):
        start.wait()
        statuses.append(like(client, f"/likes/posts/{post_id}").status_code)

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    assert stored(app, Post, post_id, "like_count") == 1 and count_rows(app, PostLike) == 1


def test_the_count_says_you_when_the_reader_is_one_of_them(client, app, slug, auth):
    from community.templating import liked_by
    from tests.factories import like_comment

    assert [liked_by(n, you=True) for n in (1, 2, 5, 1001)] == [
        "You like this", "You and 1 other like this", "You and 4 others like this", "You and 1,000 others like this"]
    comment_id = make_comment(app, slug, "like me")
    for name in ("author", "other_author", "moderator", "admin"):
        like_comment(app, comment_id, name)
    client.get(f"/posts/{slug}")  # the page is drawn and shared before the reader comes
    auth.login("Ana")
    assert "Liked by 4 people" in client.get(f"/posts/{slug}").get_data(as_text=True)
    like(client, f"/likes/comments/{comment_id}")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "You and 4 others like this" in page and "Liked by 5 people" not in page
    auth.logout()
    assert "Liked by 5 people" in client.get(f"/posts/{slug}").get_data(as_text=True)
