"""The text pipeline: Markdown in, allowlisted HTML out."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from community.text import ESSAY_TAGS, excerpt, render_comment, render_essay


class _MarkupCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_only_allowed_markup(html: str) -> None:
    """Every real element is on the allowlist, with no attribute but a safe href, title or rel."""
    collector = _MarkupCollector()
    collector.feed(html)
    for tag, attributes in collector.elements:
        assert tag in ESSAY_TAGS, f"<{tag}> got through"
        assert set(attributes) <= {"href", "title", "rel"}, f"<{tag} {attributes}> got through"
        href = (attributes.get("href") or "").strip().lower()
        assert not href or href.startswith(("http:", "https:", "mailto:")), href


def test_markdown_subset_is_rendered():
    html = render_comment("**bold** *it* `code`\n\n> quote\n\n- one\n- two\n\n1. first")
    for tag in ("<strong>bold</strong>", "<em>it</em>", "<code>code</code>", "<blockquote>", "<ul>", "<ol>", "<li>"):
        assert tag in html


def test_links_get_rel_and_only_safe_schemes():
    html = render_comment("[a](https://example.com) [b](mailto:x@example.com) [c](javascript:alert(1)) [d](data:text/html,x)")
    assert 'href="https://example.com"' in html and 'href="mailto:x@example.com"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert_only_allowed_markup(html)


def test_bare_urls_become_links():
    assert '<a href="https://example.org/page" rel="nofollow ugc noopener">' in render_comment("see https://example.org/page")


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<a href=\"javascript:alert(1)\">x</a>",
        '<p style="color:red" onclick="x()">hi</p>',
        "<iframe src=//evil></iframe>",
        "[x](javascript&#58;alert(1))",
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_raw_html_never_becomes_markup(attack):
    for html in (render_comment(attack), render_essay(attack)):
        assert_only_allowed_markup(html)


def test_comment_newlines_break_lines_but_essays_flow():
    assert "<br>" in render_comment("one\ntwo")
    assert "<br>" not in render_essay("one\ntwo")


def test_essay_headings_step_below_the_page_title():
    html = render_essay("# Big\n\n## Smaller")
    assert "<h1>" not in html and "<h2>Big</h2>" in html and "<h3>Smaller</h3>" in html


def test_excerpt_is_plain_text_cut_at_a_word():
    html = render_essay("Tom & **Jerry** " * 60)
    cut = excerpt(html, limit=50)
    assert cut.endswith("…") and len(cut) <= 50
    assert "<" not in cut and "&amp;" not in cut and cut.startswith("Tom & Jerry")


@pytest.mark.parametrize(
    "link",
    [
        "[a](//evil.example)",
        "[a](//evil.example/path?q=1)",
        "[a](<//evil.example>)",
        "[a](/\\evil.example)",
        "[a](/auth/logout)",
        "[a](relative/page)",
        "[a](%2F%2Fevil.example)",
        "<//evil.example>",
    ],
)
def test_links_without_a_scheme_lose_their_address(link):
    """Only http, https and mailto are links; "//evil.example" is another site in disguise."""
    for html in (render_comment(link), render_essay(link)):
        assert "href" not in html, html


def test_essays_keep_in_page_anchors_but_comments_do_not():
    assert 'href="#respond"' in render_essay("[Join the discussion](#respond)")
    assert "href" not in render_comment("[Join the discussion](#respond)")
    assert "Join the discussion" in render_comment("[Join the discussion](#respond)")


def test_a_scheme_relative_link_with_an_anchor_is_not_kept_in_an_essay():
    html = render_essay("see [the other site](//evil.example#respond)")
    assert "href" not in html and "the other site" in html


def test_sanitizing_twice_changes_nothing_even_after_byte_order_marks():
    """The HTML parser drops one leading U+FEFF a pass; found by the property tests."""
    from community.text import sanitize_html

    once = sanitize_html("\ufeff\ufeff<p>hello</p>")
    assert sanitize_html(once) == once and "hello" in once
