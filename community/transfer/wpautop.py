"""WordPress's paragraph convention (its wpautop function), in Python: text separated by a blank
line becomes paragraphs, a single newline a line break, and block-level HTML is left as written.
WordPress stores posts and comments without their <p> tags and adds them on display; an import
has to add them once, or every essay would read as one long paragraph."""

from __future__ import annotations

import re

_BLOCKS = (r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area"
           r"|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header"
           r"|footer|nav|figure|figcaption|details|menu|summary|iframe|script|video|audio|object|embed)")
_OPEN_BLOCK = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG_ALONE = re.compile(rf"^\s*</?{_BLOCKS}[\s/>]", re.IGNORECASE)
_BLOCK_AT_END = re.compile(rf"</?{_BLOCKS}[^>]*>\s*$", re.IGNORECASE)
_GUTENBERG = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)


def strip_block_comments(html: str) -> str:
    """Gutenberg's block delimiters (<!-- wp:paragraph -->) carry nothing a reader sees."""
    return _GUTENBERG.sub("", html)


def wpautop(text: str) -> str:
    """Paragraphs and line breaks for WordPress-stored text (see the module's docstring)."""
    text = strip_block_comments(text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    # <pre> keeps its newlines as they are: take it out and put it back at the end.
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n<wpautop-pre-{len(kept) - 1}>\n\n"

    text = _PRE.sub(keep, text)
    # A block-level tag stands on its own, so it is never wrapped in a paragraph.
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    chunks = [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text)]
    out: list[str] = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if chunk.startswith("<wpautop-pre-") or _BLOCK_TAG_ALONE.match(chunk) or _BLOCK_AT_END.search(chunk):
            out.append(chunk.strip())
        else:
            out.append("<p>" + re.sub(r"[ \t]*\n[ \t]*", "<br />\n", chunk.strip()) + "</p>")
    html = "\n".join(out)
    return re.sub(r"<wpautop-pre-(\d+)>", lambda match: kept[int(match.group(1))], html)
