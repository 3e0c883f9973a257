"""The XSS corpus (tests/data/xss) and a parser-based check for markup that could run script.

The check reads HTML the way a browser tokenizes it (the stdlib's html.parser unescapes attribute
values and keeps script and style bodies raw), so `&lt;script&gt;` is text and does not count,
while `<a href="&#106;avascript:...">` does."""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "xss" / "vectors.json"

# Attributes whose value a browser loads or navigates to.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
                            "srcset", "cite", "ping", "lowsrc", "dynsrc", "codebase"})
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Elements that never belong in a page of this site, whatever their attributes.
FORBIDDEN_ELEMENTS = frozenset({"style", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                                "svg", "math", "template", "noscript", "xmp", "plaintext", "listing", "portal"})
_SITE_COMMENT = re.compile(r"viewer:\d+|/viewer")
# Browsers drop ASCII whitespace and controls from a URL's scheme ("java\tscript:" still runs).
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


@cache
def vectors() -> tuple[str, ...]:
    """Every attack string of the corpus, in its file's order."""
    return tuple(entry["vector"] for entry in json.loads(CORPUS.read_text(encoding="utf-8")))


def dangerous_url(value: str) -> bool:
    return _IGNORED_IN_SCHEME.sub("", value).lower().startswith(DANGEROUS_SCHEMES)


def is_site_link(attributes: dict[str, str]) -> bool:
    """The site's own <link>s: its files under /static/, or a same-origin feed or icon (a feed's
    autodiscovery and the favicon load nothing into the page)."""
    href = attributes.get("href", "")
    same_origin = href.startswith("/") and not href.startswith("//")
    return href.startswith("/static/") or (same_origin and attributes.get("rel", "").lower() in {"alternate", "icon"})


class _ActiveContentFinder(HTMLParser):
    """Collects every element or attribute that could run script or restyle the page."""

    def __init__(self, site_scripts: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.site_scripts = site_scripts
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data[:80]!r}")

    def handle_comment(self, data: str) -> None:
        # Comments are where parsers disagree (`--!>` ends one in a browser), so only the site's
        # own markers may appear.
        if not _SITE_COMMENT.fullmatch(data):
            self.found.append(f"comment <!--{data[:80]}-->")

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html":
            self.found.append(f"declaration <!{decl[:80]}>")

    def unknown_decl(self, data: str) -> None:
        self.found.append(f"declaration <![{data[:80]}]>")

    def handle_pi(self, data: str) -> None:
        self.found.append(f"processing instruction <?{data[:80]}>")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = f"<{tag} {' '.join(f'{name}={value!r}' for name, value in attrs)}>"[:200]
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._in_script = True
            # The site's own file, same origin, no body; anything else is an injected script.
            if not (self.site_scripts and values.get("src", "").startswith("/static/")):
                self.found.append(f"script element {shown}")
        elif tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"{tag} element {shown}")
        elif tag == "link" and not is_site_link(values):
            self.found.append(f"foreign link {shown}")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(f"meta refresh {shown}")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"event handler {name} on {shown}")
            elif name in ("style", "srcdoc"):
                self.found.append(f"{name} attribute on {shown}")
            elif name in URL_ATTRIBUTES and dangerous_url(value):
                self.found.append(f"{name} with a dangerous URL on {shown}")


def active_content(html: str, site_scripts: bool = True) -> list[str]:
    """What in `html` could run script, load a foreign page or restyle it; empty when it is safe.

    `site_scripts` allows the site's own `<script src="/static/...">` (pages, not stored HTML)."""
    finder = _ActiveContentFinder(site_scripts)
    try:
        finder.feed(html)
        finder.close()
    except AssertionError as error:  # html.parser gives up on some malformed declarations
        finder.found.append(f"markup the parser cannot read: {error}")
    return finder.found


def assert_inert(html: str, where: str, site_scripts: bool = True) -> None:
    found = active_content(html, site_scripts)
    assert not found, f"{where}: {len(found)} dangerous pieces of markup, first: {found[:3]}"
