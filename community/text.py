"""The one text pipeline: Markdown -> HTML -> nh3 allowlist, run once when text is saved."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

# What a commenter may write; essays also get subheadings and a rule.
COMMENT_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
ESSAY_TAGS = COMMENT_TAGS | {"h2", "h3", "h4", "h5", "h6", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# What no database column should hold: NUL (PostgreSQL refuses it in text) and lone surrogates
# (not encodable as UTF-8). Both become U+FFFD, as an HTML parser and CommonMark make them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

@dataclass(frozen=True)
class _Link:
    """One link found in text, in the shape markdown-it's linkify rule reads."""

    schema: str
    index: int
    last_index: int
    text: str
    url: str


# A link starts where no word, address or URL is running (so each run of text is tried once), and
# every part is a simple class repeated once: the search is linear in the text, whatever it holds.
_LINK = re.compile(
    r"(?<![\w@.:/+-])(?:(?P<url>https?://[^\s<>\"'`]+)|(?P<www>www\.[^\s<>\"'`]+)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+))",
    re.IGNORECASE,
)
_MAYBE_LINK = re.compile(r"://|www\.|@", re.IGNORECASE)
_TRAILING = ".,;:!?'\""


def _without_trailing_punctuation(found: str) -> str:
    """A sentence's full stop or a closing parenthesis it did not open is not part of the link."""
    end, opens, closes = len(found), found.count("("), found.count(")")
    while end:
        last = found[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last == ")" and closes > opens:
            end, closes = end - 1, closes - 1
        else:
            break
    return found[:end]


class LinearLinkify:
    """Bare links (http and https URLs, www. hosts, email addresses) for markdown-it, found in one
    linear pass. linkify-it-py, which markdown-it uses by default, is quadratic on some inputs
    ("http://a" 12,500 times took ~50 s); bare domains without www. ("example.com") are left as text."""

    def pretest(self, text: str) -> bool:
        return _MAYBE_LINK.search(text) is not None

    def test(self, text: str) -> bool:
        return bool(self.match(text))

    def match(self, text: str) -> list[_Link]:
        links = []
        for found in _LINK.finditer(text):
            link = _without_trailing_punctuation(found.group())
            if found["email"]:
                schema, url = "mailto:", "mailto:" + link
            elif found["www"]:
                schema, url = "", "http://" + link
            else:
                schema, url = link.split(":", 1)[0].lower() + ":", link
            if link and (schema != "" or "." in link[4:]):
                links.append(_Link(schema, found.start(), found.start() + len(link), link, url))
        return links


def _markdown(**options: object) -> MarkdownIt:
    """CommonMark with raw HTML shown as text, never interpreted, and bare links made links."""
    markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, **options})
    markdown.linkify = LinearLinkify()
    markdown.enable("linkify")
    # The inline rule copies the rest of the text at every "://" (quadratic on many links); the
    # core rule, run over the finished text, finds the same links.
    markdown.inline.ruler.disable("linkify")
    return markdown


_comment_markdown = _markdown(breaks=True)
_essay_markdown = _markdown()


def storable(untrusted_text: str) -> str:
    """The text with NUL and lone surrogates replaced by U+FFFD, so any database can store it."""
    return _UNSTORABLE.sub("\ufffd", untrusted_text)


def _in_page_anchor(url: str) -> str | None:
    """A relative URL an essay may keep: only a place on its own page ("#respond")."""
    return url if url.startswith("#") else None


def sanitize_html(untrusted_html: str, tags: frozenset[str] = COMMENT_TAGS, anchors: bool = False) -> str:
    """The only door from user text to HTML: everything outside the allowlist is removed. A URL
    without a scheme is dropped too ("//evil.example" is another site), except in-page anchors
    when `anchors` is set. Leading byte-order marks go too: the HTML parser drops one a pass, so
    dropping them all keeps sanitizing stored HTML again a no-op."""
    return nh3.clean(
        storable(untrusted_html).lstrip("\ufeff"),
        tags=set(tags),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        url_relative=_in_page_anchor if anchors else "deny",
        link_rel=LINK_REL,
    )


def render_comment(markdown_text: str) -> str:
    """A comment's stored HTML: single newlines break lines, as people expect in a comment box."""
    return sanitize_html(_comment_markdown.render(storable(markdown_text)), COMMENT_TAGS)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def render_essay(markdown_text: str) -> str:
    """An essay's stored HTML; its headings step down one level, since the page's h1 is the title."""
    rendered = _essay_markdown.render(storable(markdown_text))
    # markdown-it writes bare <hN> tags (raw HTML is off), so this touches only its own headings.
    rendered = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", rendered)
    return sanitize_html(rendered, ESSAY_TAGS, anchors=True)


def plain_text(rendered_html: str) -> str:
    """The words of stored HTML without any markup, whitespace folded."""
    text = html.unescape(nh3.clean(storable(rendered_html), tags=set()))
    return re.sub(r"\s+", " ", text).strip()


def excerpt(rendered_html: str, limit: int = 280) -> str:
    """The opening of a text, cut at a word boundary, for lists of posts."""
    text = plain_text(rendered_html)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-—")
    return cut + "…"


class _Unlinker(HTMLParser):
    """Stored HTML again, each link its words followed by its address in brackets, as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, list[str]]] = []  # the open links: address, words so far

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", []))
        else:
            self.parts.append(f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.parts.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag != "a":
            self.parts.append(f"</{tag}>")
        elif self.links:
            href, words = self.links.pop()
            if href and href != "".join(words).strip():
                self.parts.append(f" ({html.escape(href)})")

    def handle_data(self, data: str) -> None:
        if self.links:
            self.links[-1][1].append(data)
        self.parts.append(html.escape(data))


def links_as_text(stored_html: str) -> str:
    """Stored comment HTML with no link left to click: "words (https://address)" instead (spam
    shown to moderators). Sanitized again, without <a>, whatever the parser made of it."""
    unlinker = _Unlinker()
    unlinker.feed(stored_html)
    unlinker.close()
    return sanitize_html("".join(unlinker.parts), COMMENT_TAGS - {"a"})
