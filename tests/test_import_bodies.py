"""The import's fast path for plain comments (community/transfer/bodies.py) gives exactly the
Markdown source and HTML the full pipeline (wpautop, nh3, markdownify, markdown-it, nh3) gives,
and everything it cannot vouch for goes the full way; an import of plain comments stores those
bodies, keeps counters equal to COUNT(*) and changes nothing when run again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from community import text
from community.extensions import db
from community.models import Comment, Post
from community.services.counts import find_drift
from community.transfer.bodies import comment_from_html, is_plain, markdown_from_html, plain_comment
from community.transfer.wpautop import wpautop
from tests.test_authorization_matrix import snapshot


def full_pipeline(content: str) -> tuple[str, str]:
    """comment_from_html as it was before the fast path: every body through every step."""
    markdown = markdown_from_html(text.sanitize_html(wpautop(content), text.COMMENT_TAGS))
    return markdown, text.render_comment(markdown)


PLAIN_COMMENTS = [
    "",
    "Thanks!",
    "Lovely walk. I did it in the rain last spring.",
    "First paragraph.\n\nSecond one, after a blank line.",
    "One line\nand the next, broken as WordPress breaks it",
    "Windows line ends\r\nare lines too.\r\n\r\nAnd paragraphs.",
    "An old Mac\rwrote this.",
    "Two spaces.  After a full stop,   and a tab\there.",
    "   Indented four spaces, which would be code in Markdown\n        and so is this line",
    "\n\n\nBlank lines first and last\n\n\n\n",
    "A line of spaces between\n   \nmakes paragraphs.",
    'She said "come back" and (so it seems) we did; it\'s 50% sure: $20?',
    "Well-known, up-to-date; 1999 was a year, 3.5 km on the 2nd road.",
    "and/or, either/or",
    "Café “quoted” — and ‘single’ – with … «guillemets»",
    "Дякую за текст. Ελληνικά. 日本語のコメント עברית",
    "A 1 B 2.5 C.",
]

NOT_PLAIN = [
    "<p>tags</p>", "&amp; an entity", "a < b", "a > b", "*stars*", "_under_", "`code`", "[link](x)",
    "# heading", "\\backslash", "1. a list", "2) a list", "1999. a year to start a list", "A 1) B", "- a bullet",
    "a rule\n---", "a - dash alone", "~strike~", "a = b", "a + b", "a | b", "https://example.com",
    "www.example.com", "mail me@example.com", "non\u00a0breaking", "zero\u200bwidth", "NUL\x00",
    "\ufeffbyte order mark", "emoji 🙂",
]


@pytest.mark.parametrize("content", PLAIN_COMMENTS)
def test_plain_comments_take_the_fast_path_with_the_full_pipelines_result(content):
    assert is_plain(content)
    assert plain_comment(content) == full_pipeline(content)
    assert comment_from_html(content) == full_pipeline(content)


@pytest.mark.parametrize("content", NOT_PLAIN)
def test_anything_the_fast_path_cannot_vouch_for_goes_the_full_way(content):
    assert not is_plain(content)
    assert comment_from_html(content) == full_pipeline(content)


def test_disqus_bodies_never_take_the_wordpress_fast_path():
    # Without WordPress's paragraph convention a blank line is no paragraph.
    markdown = markdown_from_html(text.sanitize_html("one\n\ntwo", text.COMMENT_TAGS))
    assert comment_from_html("one\n\ntwo", paragraphs=False) == (markdown, text.render_comment(markdown))
    assert comment_from_html("one\n\ntwo", paragraphs=False) != comment_from_html("one\n\ntwo")


PIECES = st.sampled_from([
    "a", "Z", "word", "0", "19", " ", "  ", "\t", "\n", "\n\n", "\r\n", " \n ", ".", ",", ";", ":", "?", "!",
    "'", '"', "(", ")", "/", "%", "$", "-", "--", "1.", "2)", "www", "é", "ж", "中", "“", "—", "…",
])


@settings(max_examples=300)
@given(st.lists(PIECES, max_size=40).map("".join))
@example("Rain.\n \nSun.")
@example("12 3) x")
def test_whatever_the_fast_path_accepts_it_renders_as_the_full_pipeline_does(content):
    if is_plain(content):
        assert plain_comment(content) == full_pipeline(content)
    else:
        assert comment_from_html(content) == full_pipeline(content)


def plain_export(comments: list[str]) -> str:
    """A WXR with one post and these plain comments, each (after the first) replying to the one before."""
    items = "".join(
        f"<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author>Walker {number}</wp:comment_author>"
        f"<wp:comment_date_gmt>2020-05-0{1 + number % 9} 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{body}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{number - 1 if number > 1 else 0}</wp:comment_parent></wp:comment>"
        for number, body in enumerate(comments, start=1)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Plain</title>'
            "<wp:base_blog_url>https://plain.example</wp:base_blog_url><item><title>Walks</title><dc:creator>walker"
            "</dc:creator><content:encoded><![CDATA[Words.]]></content:encoded><wp:post_id>1</wp:post_id>"
            "<wp:post_date_gmt>2020-05-01 09:00:00</wp:post_date_gmt><wp:post_name>walks</wp:post_name>"
            f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{items}</item></channel></rss>")


def test_an_import_of_plain_comments_stores_the_full_pipelines_bodies_and_is_idempotent(app, runner, tmp_path):
    bodies = [content for content in PLAIN_COMMENTS if content.strip()]
    bodies.append("<em>Not</em> plain &amp; so the long way.")
    export = tmp_path / "plain.xml"
    export.write_text(plain_export(bodies), encoding="utf-8")
    result = runner.invoke(args=["import-wordpress", str(export)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.execute(sa.select(Comment.source_id, Comment.body_markdown, Comment.body_html)).all()
        assert {source_id: (markdown, html) for source_id, markdown, html in stored} == {
            str(number): full_pipeline(body) for number, body in enumerate(bodies, start=1)}
        assert db.session.scalar(sa.select(Post.comment_count)) == len(bodies)
        assert find_drift() == []
    before = snapshot(app)
    again = runner.invoke(args=["import-wordpress", str(export)])
    assert f"Comments: 0 added (none), {len(bodies)} already there" in again.output
    assert snapshot(app) == before
