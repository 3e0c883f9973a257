"""The author of a comment the rules sent to spam sees exactly what the author of a held comment
sees: the same redirect to their comment in place, marked "Your comment is awaiting moderation",
and the same JSON; nobody else sees either."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.services.moderation import save_settings
from tests.conftest import post_form
from tests.factories import make_post, user_named

JSON = {"Accept": "application/json"}
SPAM_BODY, HELD_BODY = "Cheap zeppelin tickets.", "A quiet airship thought."


@pytest.fixture
def slug(app, users) -> str:
    with app.app_context():
        save_settings(user_named("admin"), {"disallowed_words": "zeppelin", "moderation_words": "airship"})
        db.session.commit()
    return make_post(app, title="Skies")


def normalised(text: str, comment_id: int, body: str) -> str:
    """A page or answer with what differs by nature (the id, the words, tokens, times) taken out."""
    text = re.sub(rf'(comment-|comments/|viewer:|data-like="c|data-reply-to="){comment_id}\b', r"\1ID", text)
    text = re.sub(r"/avatars/[0-9a-f]+\.svg", "AVATAR", text.replace(body, "BODY"))  # each test browser is a new guest
    text = re.sub(r'content="[^"]+" name="csrf-token"|name="csrf-token" content="[^"]+"', "TOKEN", text)
    text = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|value="[^"]+" name="csrf_token"', "TOKEN", text)
    return re.sub(r'datetime="[^"]+">[^<]+<', "TIME", text)


def comment_item(page: str, comment_id: int) -> str:
    start = page.index(f'<li id="comment-{comment_id}"')
    return page[start:page.index("</li>", start)]


@pytest.mark.parametrize("who", ["reader", "guest"])
def test_spam_and_held_comments_answer_alike_in_html(app, slug, who):
    seen = []
    for body in (SPAM_BODY, HELD_BODY):
        client = app.test_client()
        if who == "reader":
            post_form(client, "/auth/login", {"login": "reader", "password": "correct horse battery"})
            fields = {"body": body}
        else:
            fields = {"body": body, "name": "Wren", "email": "wren@example.net"}
        response = post_form(client, f"/posts/{slug}/comments", fields)
        location = response.headers["Location"]
        comment_id = int(location.rsplit("#comment-", 1)[1])
        page = client.get(location).get_data(as_text=True)
        assert "Your comment is awaiting moderation." in comment_item(page, comment_id)
        seen.append((response.status_code, normalised(location, comment_id, body),
                     normalised(comment_item(page, comment_id), comment_id, body)))
        # Nobody else sees it.
        assert body not in app.test_client().get(location).get_data(as_text=True)
    assert seen[0] == seen[1]


def test_spam_and_held_comments_answer_alike_in_json(app, slug, auth, client):
    auth.login("reader")
    answers = []
    for body in (SPAM_BODY, HELD_BODY):
        response = post_form(client, f"/posts/{slug}/comments", {"body": body}, headers=JSON)
        data = response.get_json()
        comment_id = data.pop("id")
        assert data.pop("form_token")  # a fresh one-time form token in either answer, for the next comment
        data["html"] = normalised(data["html"], comment_id, body)
        answers.append((response.status_code, data))
    assert answers[0] == answers[1]
