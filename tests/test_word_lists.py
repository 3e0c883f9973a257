"""The word lists (disallowed and watched words) match what readers see: the rendered text, with
entities decoded and markup gone, NFKC-normalised, without zero-width or formatting characters,
lookalike letters folded by Unicode's confusables table, as whole words and simple inflections."""

from __future__ import annotations

import pytest

from community.models import ModerationSettings
from community.services.matching import comparable, find_phrase
from community.services.rules import content_verdict
from community.text import render_comment

DISGUISED = [
    "cas&#105;no",  # an HTML entity, decoded by the renderer
    "c&#97;sino",
    "&#99;&#x61;sino",
    "ca**s**ino",  # emphasis inside the word
    "c*a*sino",
    "`casino`",
    "ca\u200bsino",  # zero-width space
    "ca\u200dsi\u2060no",  # zero-width joiner, word joiner
    "cas\u00adino",  # soft hyphen
    "\u0441\u0430sino",  # Cyrillic с and а
    "casin\u043e",  # Cyrillic о
    "ｃａｓｉｎｏ",  # fullwidth
    "𝐜𝐚𝐬𝐢𝐧𝐨",  # mathematical bold
    "CASINO",
    "c\u0336asino",  # a combining stroke
    "casinos",  # inflections
    "casino's",
    "[casino](https://example.com)",
    "Visit the casino.",
]
INNOCENT = ["occasional", "casinova", "cas ino", "a casin", "Casablanca"]


def settings(**lists: str) -> ModerationSettings:
    return ModerationSettings(id=1, hold_all_comments=False, hold_first_comment=False, max_links=5, flood_seconds=0,
                              close_after_days=0, moderation_words=lists.get("moderation_words", ""),
                              disallowed_words=lists.get("disallowed_words", ""), blocked_emails="", blocked_addresses="")


def verdict_of(body: str, **lists: str):
    return content_verdict(body, render_comment(body), settings(**lists))


@pytest.mark.parametrize("body", DISGUISED)
def test_a_disguised_disallowed_word_is_spam(body):
    verdict = verdict_of(body, disallowed_words="casino")
    assert verdict is not None and (verdict.status, verdict.rule) == ("spam", "disallowed-words")


@pytest.mark.parametrize("body", DISGUISED)
def test_a_disguised_watched_word_is_held(body):
    verdict = verdict_of(body, moderation_words="casino")
    assert verdict is not None and (verdict.status, verdict.rule) == ("pending", "moderation-words")


@pytest.mark.parametrize("body", INNOCENT)
def test_other_words_that_contain_it_pass(body):
    assert verdict_of(body, disallowed_words="casino", moderation_words="casino") is None


def test_a_listed_entry_written_with_lookalikes_matches_plain_text():
    assert verdict_of("play at the casino", disallowed_words="ＣＡＳＩＮＯ").status == "spam"
    assert verdict_of("free   money now", moderation_words="free money").status == "pending"


def test_words_only_in_the_markdown_source_do_not_count():
    """A link's address is not text a reader sees."""
    assert verdict_of("[a fine place](https://casino.example)", disallowed_words="casino") is None


def test_comparable_is_what_a_reader_sees():
    assert comparable("Ａd\u200bmіn") == comparable("admin") == "admin"
    assert find_phrase("so many Casinos!", ["casino"]) == "casino"
