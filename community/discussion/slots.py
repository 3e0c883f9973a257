"""Named slots: the spots of a post page that differ between the readers of one shared page (the
CSRF token, the reader's name, the comment form's one-time token, a Like button's state, a
comment's own controls, the notification boxes an account ticks by default).

A template writes each spot as `slot(kind, key, **facts)`. Drawing a page of one reader's own,
`Slots` draws the spot there and then; drawing a page to share, `MarkedSlots` draws it for the
stand-in reader and marks where it starts and ends, and `SharedPage` keeps the page cut at those
marks. Filling a shared page for a reader draws again, with the same macro and the same rules,
only the spots that are theirs: the full page and the filled one are the same bytes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from community.delivery.compression import accepts_gzip, gzip_answer
from community.delivery.gzip_splice import SplicedGzip
from community.models import Comment
from community.spam.form_token import new_form_token

CSRF, NAME, LIKE, OWN, COUNT = "csrf", "name", "like", "own", "count"
NOTIFY = "notify"  # a notification box of the comment form, ticked where the account's settings say
FORM_TOKEN = "form-token"  # the spam filter's one-time token, new for every drawing of the comment form
EVERY_READER = (CSRF, NAME, FORM_TOKEN)  # filled for every reader
READERS_OWN = (LIKE, OWN)  # filled where the reader left a mark; COUNT, when the counts moved
# Between a slot's marks; no text a page prints holds it (user text reaches a page as sanitized
# or escaped HTML, and NUL becomes U+FFFD at the edge), and a page that did is not shared.
MARK = "\x00"
MACROS = "_macros/slots.html"


@dataclass(frozen=True)
class CommentFacts:
    """What a comment's own controls depend on, as plain values a shared page can keep."""

    id: int
    author_id: int | None
    status: str
    is_deleted: bool
    is_visible: bool
    created_at: datetime
    display_name: str

    @classmethod
    def of(cls, comment: Comment | CommentFacts) -> CommentFacts:
        if isinstance(comment, CommentFacts):
            return comment
        return cls(comment.id, comment.author_id, comment.status, comment.is_deleted, comment.is_visible,
                   comment.created_at, comment.display_name)


def draw(kind: str, reader, facts: Mapping[str, Any]) -> Markup:
    """One slot for one reader: the only drawing of it, for a whole page and a filled one."""
    if kind == CSRF:
        return Markup(escape(generate_csrf()))
    if kind == NAME:
        return escape(reader.username)
    if kind == FORM_TOKEN:
        return escape(new_form_token())
    macros = current_app.jinja_env.get_template(MACROS).module
    if kind == LIKE:
        return Markup(macros.like_state(**facts))
    if kind == OWN:
        return Markup(macros.own_controls(reader, **facts))
    if kind == COUNT:
        return Markup(macros.like_count(**facts))
    if kind == NOTIFY:
        return Markup(macros.notify_box(**facts))
    raise ValueError(f"no slot of kind {kind!r}")


def _plain(kind: str, facts: dict[str, Any]) -> dict[str, Any]:
    if kind == OWN:
        return {"comment": CommentFacts.of(facts["comment"])}
    return facts


class Slots:
    """Draws each slot for this reader in place: a page of their own."""

    def __init__(self, reader) -> None:
        self.reader = reader

    def __call__(self, kind: str, key: object = "", **facts: Any) -> Markup:
        return draw(kind, self.reader, _plain(kind, facts))

    def csrf_token(self) -> Markup:
        return self(CSRF)


class MarkedSlots(Slots):
    """Draws each slot for a stand-in reader between marks: a page to share, then fill."""

    def __init__(self, reader) -> None:
        super().__init__(reader)
        self.found: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, kind: str, key: object = "", **facts: Any) -> Markup:
        facts = _plain(kind, facts)
        self.found.append((kind, str(key), facts))
        return Markup(f"{MARK}{len(self.found) - 1}{MARK}") + draw(kind, self.reader, facts) + Markup(MARK)


class SharedPage:
    """A page drawn to share, as UTF-8 parts: every odd part is a slot's content for the stand-in
    reader, which filling replaces where the reader's own differs. A page whose slots are all
    every reader's (a guest's) also keeps the parts between them deflated once (`gzip`), so it
    goes out gzip-compressed with nothing compressed again (delivery.gzip_splice)."""

    __slots__ = ("parts", "every_reader", "keyed", "gzip")

    def __init__(self, parts: tuple[bytes, ...], every_reader: tuple[tuple[int, str], ...],
                 keyed: dict[tuple[str, str], tuple[tuple[int, dict[str, Any]], ...]],
                 gzip: SplicedGzip | None = None) -> None:
        self.parts = parts
        self.every_reader = every_reader  # (part, kind) of the CSRF and name slots
        self.keyed = keyed  # (kind, key) -> (part, facts) of the slots a reader's marks replace
        self.gzip = gzip

    @classmethod
    def cut(cls, html: str, slots: MarkedSlots) -> SharedPage | None:
        """The page cut at its marks; None if they are not exactly the slots drawn."""
        pieces = html.split(MARK)
        if len(pieces) != 3 * len(slots.found) + 1 or pieces[1::3] != [str(i) for i in range(len(slots.found))]:
            return None
        parts = [pieces[0].encode()]
        every_reader, keyed = [], {}
        for (kind, key, facts), default, text in zip(slots.found, pieces[2::3], pieces[3::3], strict=True):
            if kind in EVERY_READER:
                every_reader.append((len(parts), kind))
            else:
                keyed.setdefault((kind, key), []).append((len(parts), facts))
            parts += [default.encode(), text.encode()]
        gzip = None if any(kind in READERS_OWN for kind, _ in keyed) else SplicedGzip.of(parts[0::2])
        return cls(tuple(parts), tuple(every_reader), {spot: tuple(places) for spot, places in keyed.items()}, gzip)

    def stored(self) -> tuple:
        """What the shared cache keeps (Redis): plain values, the compressed parts among them."""
        return self.parts, self.every_reader, self.keyed, self.gzip.stored() if self.gzip else None

    @classmethod
    def from_stored(cls, stored: tuple) -> SharedPage:
        parts, every_reader, keyed, gzip = stored
        return cls(parts, every_reader, keyed, SplicedGzip.from_stored(gzip) if gzip else None)

    def filled(self, reader, marks: Mapping[tuple[str, str], Mapping[str, Any]]) -> bytes:
        """The page for `reader`, whose own spots are `marks`: (kind, key) -> the facts that differ
        from the stand-in's (a pressed Like: liked=True; an own comment: nothing, the reader is)."""
        parts = list(self.parts)
        every = self._every(reader)
        for position, kind in self.every_reader:
            parts[position] = every[kind]
        for spot, changed in marks.items():
            for position, facts in self.keyed.get(spot, ()):
                parts[position] = str(draw(spot[0], reader, {**facts, **changed})).encode()
        return b"".join(parts)

    def answer(self, reader, marks: Mapping[tuple[str, str], Mapping[str, Any]]) -> bytes | Response:
        """The filled page, gzip-compressed already when it can be and the client takes gzip."""
        if self.gzip is not None and not marks and accepts_gzip():
            fillings = list(self.parts[1::2])  # slot i is part 2i + 1
            every = self._every(reader)
            for position, kind in self.every_reader:
                fillings[position // 2] = every[kind]
            return gzip_answer(self.gzip.filled(fillings))
        return self.filled(reader, marks)

    def counted_targets(self) -> list[int]:
        """The comments whose like counts the page shows."""
        return [int(key[1:]) for kind, key in self.keyed if kind == COUNT and key.startswith("c")]

    def recounted(self, counts: Mapping[int, int]) -> SharedPage:
        """The page with its comments' like counts as `counts` says (comment id -> count): the
        same page otherwise, sharing its parts and compressed parts."""
        parts, keyed, drawn = list(self.parts), dict(self.keyed), {}
        for (kind, key), places in self.keyed.items():
            if kind != COUNT or not key.startswith("c"):
                continue
            count = counts.get(int(key[1:]), 0)
            if count not in drawn:
                drawn[count] = str(draw(COUNT, None, {"count": count})).encode()
            for position, _ in places:
                parts[position] = drawn[count]
            keyed[(kind, key)] = tuple((position, {"count": count}) for position, _ in places)
        return SharedPage(tuple(parts), self.every_reader, keyed, self.gzip)

    @staticmethod
    def _every(reader) -> dict[str, bytes]:
        return {kind: str(draw(kind, reader, {})).encode() for kind in EVERY_READER}

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + (self.gzip.size if self.gzip else 0)
