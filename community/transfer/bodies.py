"""Imported text through the one pipeline: foreign HTML (WordPress's paragraph convention, or
Disqus's HTML) is sanitized by community.text, turned into a Markdown source with markdownify, and
that Markdown is rendered as if its author had just written it here. So the page shows exactly
what editing and saving the post would show, and the words are those of the original.

Most comments are plain words in paragraphs, and the full pipeline spends ~1 ms on each (an HTML
parse, a Markdown parse); for those `plain_comment` writes the same two results directly (a test
holds it to the full pipeline's output), which is what makes a 200,000-comment import quick."""

from __future__ import annotations

import re

from markdownify import MarkdownConverter

from community import text
from community.transfer.wpautop import wpautop

_to_markdown = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=True, code_language="")

# Characters that mean nothing to HTML, to markdownify's escaping or to Markdown (non-ASCII ones
# are letters or one of the typographic marks, see is_plain)...
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 \t\r\n.,;:?!'\"()/%$\-\u0080-\U0010ffff]")
_NON_ASCII = re.compile(r"[\u0080-\U0010ffff]")
_TYPOGRAPHY = frozenset("“”‘’—–…«»")
# ...and the runs of them that do: a list item or a rule ("1. ", "2) ", "- ", "---").
_LIST_OR_RULE = re.compile(r"(?<!\S)(?:-+|[0-9]+[.)])(?!\S)")
_MAYBE_MARKER = re.compile(r"-|[0-9][.)]")
_BLANK_LINE = re.compile(r"\n\s*\n")
_linkify = text.LinearLinkify()


def markdown_from_html(safe_html: str) -> str:
    """Markdown for HTML that already went through text.sanitize_html."""
    return _to_markdown.convert(safe_html).strip()


def essay_from_wordpress(content: str) -> tuple[str, str]:
    """(Markdown, HTML) of a WordPress post body; Gutenberg's block comments vanish."""
    safe = text.sanitize_html(wpautop(content), text.ESSAY_TAGS, anchors=True)
    markdown = markdown_from_html(safe)
    return markdown, text.render_essay(markdown)


def is_plain(content: str) -> bool:
    """Words and punctuation only: no tag, entity, Markdown marker or link to find."""
    return (_NOT_PLAIN.search(content) is None
            and (content.isascii() or all(found.isalpha() or found in _TYPOGRAPHY
                                          for found in _NON_ASCII.findall(content)))
            # Cheap necessary conditions first ("@" is out already): a regex pass costs more.
            and not (_MAYBE_MARKER.search(content) and _LIST_OR_RULE.search(content))
            and not (("://" in content or "www" in content.lower()) and _linkify.pretest(content)))


def plain_comment(content: str) -> tuple[str, str]:
    """What comment_from_html makes of plain text (see is_plain), without parsing anything:
    paragraphs at blank lines, line breaks at single newlines, runs of spaces folded."""
    paragraphs: list[list[str]] = []
    for chunk in _BLANK_LINE.split(content.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        if any(lines):
            paragraphs.append([line for line in lines if line])
    markdown = "\n\n".join("  \n".join(lines) for lines in paragraphs)
    # Nothing here is markup (is_plain let no "<" or "&" through), so this is what the sanitizer
    # would write too.
    html = "".join("<p>" + "<br>\n".join(lines) + "</p>\n" for lines in paragraphs)
    return markdown, html


def comment_from_html(content: str, paragraphs: bool = True) -> tuple[str, str]:
    """(Markdown, HTML) of a comment; `paragraphs` applies WordPress's convention first (Disqus
    writes its own <p> tags)."""
    if paragraphs and is_plain(content):
        return plain_comment(content)
    safe = text.sanitize_html(wpautop(content) if paragraphs else content, text.COMMENT_TAGS)
    markdown = markdown_from_html(safe)
    return markdown, text.render_comment(markdown)
