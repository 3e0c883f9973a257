"""Search: published posts and public comments, ranked, marked and paged; the index moves with every
write in its own transaction, and nothing a reader may not see is ever found."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.models import Comment
from community.search import schema
from community.search.query import marked, search, search_terms
from community.services import DomainError
from community.services.comments import delete_own_comment, edit_own_comment
from community.services.moderation import Action, moderate_comment
from community.services.posts import update_post
from tests.factories import make_comment, make_post, post_by_slug, user_named


def found(app, query: str) -> list[tuple[str, int | str]]:
    """What a search finds: ("post", slug) or ("comment", id), in order."""
    with app.app_context():
        page = search(query)
        return [("post", hit.post.slug) if hit.kind == "post" else ("comment", hit.comment.id) for hit in page.hits]


@pytest.fixture
def essay(app, users) -> str:
    return make_post(app, title="Walking the Heron Coast", body="The tide came in over the *salt marsh*.")


def test_finds_posts_by_title_and_body_and_comments_by_their_words(app, essay):
    comment = make_comment(app, essay, "I saw the herons there last spring.")
    assert found(app, "salt marsh") == [("post", essay)]
    assert ("comment", comment) in found(app, "herons") and ("post", essay) in found(app, "heron")
    assert found(app, "zeppelin") == []


def test_every_word_must_appear(app, essay):
    make_comment(app, essay, "Marsh birds at dawn.")
    assert found(app, "marsh dawn") != [] and all(kind == "comment" for kind, _ in found(app, "marsh dawn"))
    assert found(app, "marsh zeppelin") == []


def test_title_matches_rank_above_body_matches(app, users):
    in_body = make_post(app, title="Notes", body="A long essay about lighthouses and more lighthouses.")
    in_title = make_post(app, title="Lighthouses", body="Towers by the sea.")
    assert [slug for _, slug in found(app, "lighthouses")] == [in_title, in_body]


def test_matches_are_marked_and_the_text_around_them_escaped(app, users):
    slug = make_post(app, title="Markup", body="Write <script>alert(1)</script> near the word lantern.")
    with app.app_context():
        hit = search("lantern").hits[0]
    assert hit.post.slug == slug
    # SQLite's snippet keeps the tag as text (escaped); PostgreSQL's headline leaves tags out.
    assert "<mark>lantern</mark>" in hit.snippet and "<script>" not in hit.snippet and "alert(1)" in hit.snippet


def test_stray_marks_in_text_open_nothing():
    assert marked("a \ue001b\ue000c") == "a b<mark>c</mark>"
    assert marked("<b>\ue000x\ue001</b>") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"


def test_query_syntax_is_read_as_words(app, essay):
    for query in ('"', "marsh OR", "NEAR(salt marsh)", "title:salt", "-salt", "salt*", "(", "AND"):
        found(app, query)  # never an error from the index's own query language
    assert found(app, '"salt" marsh*') == [("post", essay)]
    assert found(app, "!!! ???") == []


def test_a_search_too_long_is_refused_at_its_field():
    with pytest.raises(DomainError) as refusal:
        search_terms("x" * 201)
    assert refusal.value.field == "q"


def test_drafts_held_spam_trashed_and_deleted_comments_are_never_found(app, users, essay):
    make_post(app, title="Unfinished kingfisher", body="kingfisher notes", publish=False)
    held = make_comment(app, essay, "kingfisher held", "reader")
    spam = make_comment(app, essay, "kingfisher spam", "reader")
    trash = make_comment(app, essay, "kingfisher trash", "reader")
    deleted = make_comment(app, essay, "kingfisher deleted", "reader")
    make_comment(app, essay, "a reply keeps the tombstone", "Ana", parent_id=deleted)
    visible = make_comment(app, essay, "kingfisher seen", "reader")
    with app.app_context():
        moderator = user_named("moderator")
        for comment_id, action in ((held, Action.UNAPPROVE), (spam, Action.SPAM), (trash, Action.TRASH)):
            moderate_comment(moderator, db.session.get(Comment, comment_id), action)
        delete_own_comment(user_named("reader"), db.session.get(Comment, deleted))
        db.session.commit()
    assert found(app, "kingfisher") == [("comment", visible)]
    with app.app_context():  # approved again: found again
        moderate_comment(user_named("moderator"), db.session.get(Comment, held), Action.APPROVE)
        db.session.commit()
    assert sorted(found(app, "kingfisher")) == sorted([("comment", visible), ("comment", held)])


def test_the_index_moves_with_edits_and_deletions_in_their_transaction(app, users, essay):
    comment_id = make_comment(app, essay, "An otter in the reeds.", "reader")
    with app.app_context():
        edit_own_comment(user_named("reader"), db.session.get(Comment, comment_id), "A heron in the reeds.")
        # Before the commit, inside the same transaction, the index already says so.
        assert [hit.comment.id for hit in search("heron").hits if hit.comment] == [comment_id]
        assert search("otter").hits == []
        db.session.rollback()
    assert found(app, "otter") == [("comment", comment_id)]
    with app.app_context():
        post = post_by_slug(essay)
        update_post(user_named("author"), post, "Walking the Gull Coast", post.body_markdown, publish=True)
        delete_own_comment(user_named("reader"), db.session.get(Comment, comment_id))
        db.session.commit()
    assert found(app, "otter") == [] and found(app, "heron") == [] and found(app, "gull") == [("post", essay)]
    with app.app_context():
        schema.check()  # the index agrees with its tables
        schema.rebuild()
        db.session.commit()
    assert found(app, "gull") == [("post", essay)]


def test_results_are_paged(app, users, essay):
    ids = [make_comment(app, essay, f"Puffin number {number}.", "reader") for number in range(5)]
    with app.app_context():
        first, second = search("puffin", 1, 3), search("puffin", 2, 3)
        assert first.has_next and not second.has_next
        seen = [hit.comment.id for hit in first.hits + second.hits]
    assert sorted(seen) == sorted(ids)


# --- the page ----------------------------------------------------------------------------------------

def test_search_page_shows_marked_results_with_links(client, app, essay):
    comment_id = make_comment(app, essay, "The marsh was silver at dusk.", "reader")
    page = client.get("/search?q=marsh").get_data(as_text=True)
    assert f'href="/posts/{essay}"' in page and f'href="/comments/{comment_id}"' in page
    assert "<mark>marsh</mark>" in page and "Results 1–2 for “marsh”" in page


def test_search_page_without_a_query_shows_the_form(client, app, users):
    response = client.get("/search")
    assert response.status_code == 200 and 'name="q"' in response.get_data(as_text=True)


def test_search_page_says_when_nothing_matches(client, app, essay):
    page = client.get("/search?q=zeppelin").get_data(as_text=True)
    assert "Nothing matches “zeppelin”" in page


def test_search_page_refuses_a_long_query_at_its_field_keeping_it(client, app, users):
    response = client.get("/search", query_string={"q": "y" * 201})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "A search is at most 200 characters." in page and "y" * 201 in page


def test_search_page_beyond_the_last_page_is_a_404_or_empty(client, app, essay):
    assert client.get("/search?q=marsh&page=0").status_code == 404
    assert client.get(f"/search?q=marsh&page={2**31}").status_code == 404
    assert "No more results" in client.get("/search?q=marsh&page=3").get_data(as_text=True)


def test_every_page_offers_the_search_box(client, app, essay):
    page = client.get(f"/posts/{essay}").get_data(as_text=True)
    assert re.search(r'<form class="site-search"[^>]*action="/search"', page)


def test_comment_under_a_withdrawn_post_is_not_found(app, users, essay):
    comment_id = make_comment(app, essay, "Curlews calling.", "reader")
    assert found(app, "curlews") == [("comment", comment_id)]
    with app.app_context():
        post = post_by_slug(essay)
        update_post(user_named("author"), post, post.title, post.body_markdown, publish=False)
        db.session.commit()
    assert found(app, "curlews") == [] and found(app, "marsh") == []


def test_the_index_objects_are_not_models_and_the_migration_check_leaves_them(app):
    assert not any(schema.is_search_object(table.name, "table") for table in db.metadata.sorted_tables)
    assert schema.is_search_object("search_comments_data", "table") and schema.is_search_object("ix_posts_search", "index")
    assert not schema.is_search_object("comments", "table") and not schema.is_search_object("search", "table")


def test_search_rebuild_command_rebuilds_and_checks_the_index(app, runner, essay):
    result = runner.invoke(args=["search-rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    assert found(app, "marsh") == [("post", essay)]
