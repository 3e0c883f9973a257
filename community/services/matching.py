"""Comparing what people see rather than how it is spelled: text is reduced to a key (NFKC,
without zero-width and formatting characters or combining marks, lookalike letters folded by
Unicode's confusables table, case folded) before word lists or names are compared with it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs.confusables import confusables_data

# Endings a listed word may carry and still be that word: plurals, a possessive, simple verb forms.
_INFLECTIONS = r"(?:s|es|'s|’s|d|ed|ing|er|ers)?"


@lru_cache(maxsize=4096)
def _fold_character(character: str) -> str:
    """An ASCII letter or digit the character is confused with (Cyrillic "а" → "a"), else itself."""
    if character.isascii():
        return character
    for homoglyph in confusables_data.get(character, ()):
        lookalike = homoglyph["c"]
        if lookalike.isascii() and lookalike.isalnum():
            return lookalike
    return character


def comparable(text: str) -> str:
    """The key two texts are compared by: equal keys look alike to a reader."""
    text = unicodedata.normalize("NFKC", text)
    # Zero-width and formatting characters (Cf) are invisible; combining marks (Mn, Me) only
    # decorate the letter they sit on ("c̸asino" still reads casino).
    text = "".join(char for char in unicodedata.normalize("NFD", text)
                   if unicodedata.category(char) not in ("Cf", "Mn", "Me"))
    return "".join(map(_fold_character, text)).casefold()


@lru_cache(maxsize=256)
def _phrase_pattern(key: str) -> re.Pattern[str]:
    """A listed word or phrase as whole words, with its simple inflections."""
    words = r"\s+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<!\w){words}{_INFLECTIONS}(?!\w)")


def find_phrase(text: str, phrases: list[str]) -> str | None:
    """The first of `phrases` that `text` holds, both compared as a reader sees them."""
    key = comparable(text)
    for phrase in phrases:
        phrase_key = comparable(phrase).strip()
        if phrase_key and _phrase_pattern(phrase_key).search(key):
            return phrase
    return None
