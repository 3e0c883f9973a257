"""Imported text through the one pipeline: foreign HTML (WordPress's paragraph convention, or
Disqus's HTML) is sanitized by community.text, turned into a Markdown source with markdownify, and
that Markdown is rendered as if its author had just written it here. So the page shows exactly
what editing and saving the post would show, and the words are those of the original."""

from __future__ import annotations

from markdownify import MarkdownConverter

from community import text
from community.transfer.wpautop import wpautop

_to_markdown = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=True, code_language="")


def markdown_from_html(safe_html: str) -> str:
    """Markdown for HTML that already went through text.sanitize_html."""
    return _to_markdown.convert(safe_html).strip()


def essay_from_wordpress(content: str) -> tuple[str, str]:
    """(Markdown, HTML) of a WordPress post body; Gutenberg's block comments vanish."""
    safe = text.sanitize_html(wpautop(content), text.ESSAY_TAGS, anchors=True)
    markdown = markdown_from_html(safe)
    return markdown, text.render_essay(markdown)


def comment_from_html(content: str, paragraphs: bool = True) -> tuple[str, str]:
    """(Markdown, HTML) of a comment; `paragraphs` applies WordPress's convention first (Disqus
    writes its own <p> tags)."""
    safe = text.sanitize_html(wpautop(content) if paragraphs else content, text.COMMENT_TAGS)
    markdown = markdown_from_html(safe)
    return markdown, text.render_comment(markdown)
