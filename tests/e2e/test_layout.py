"""The page as a reader's eye meets it: 60–75 characters a line for the essay and the comments on a
wide screen, and on a phone replies stop moving right past depth 3."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.factories import make_comment, make_post, make_thread

SENTENCE = ("Letting go of a friend is rarely a single moment; it is a slow drift of unanswered letters, "
            "postponed visits and birthdays remembered a day too late. ")
PARAGRAPH = SENTENCE * 5

# Characters on each line of an element's text, from where the browser put each character.
LINE_LENGTHS = """(element) => {
  const lines = new Map();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) lines.set(Math.round(rect.top), (lines.get(Math.round(rect.top)) || 0) + 1);
    }
  }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}"""

# The same from the width of the element and the average width of its font's characters in its text.
ESTIMATED_LINE_LENGTH = """(element) => {
  const style = getComputedStyle(element);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = element.textContent;
  const average = context.measureText(text).width / text.length;
  const width = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return width / average;
}"""


@pytest.fixture
def essay(app, users) -> str:
    slug = make_post(app, title="A Long Goodbye", body=f"{PARAGRAPH}\n\n{PARAGRAPH}")
    make_comment(app, slug, PARAGRAPH, author="Ana")
    make_thread(app, slug, 5, author="reader")
    return slug


def full_lines(page: Page, selector: str) -> list[int]:
    """The characters of each line but the last, which ends where the paragraph does."""
    lines = page.locator(selector).first.evaluate(LINE_LENGTHS)
    assert len(lines) >= 4, lines
    return lines[:-1]


def comment_starts(page: Page, url: str, width: int) -> list[float]:
    """Where the comments of depths 1 to 5 start, from the left of the screen."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    return [
        page.locator(f"li.comment.depth-{depth} > .comment__body").last.evaluate("element => element.getBoundingClientRect().left")
        for depth in range(1, 6)
    ]


@pytest.mark.parametrize("selector", [".essay__body p", "#comment-threads .comment-list > li.depth-1 .comment__content p"])
def test_essay_and_comments_hold_60_to_75_characters_a_line_on_a_wide_screen(page: Page, live_server, essay, selector):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/posts/{essay}")
    lines = full_lines(page, selector)
    assert 60 <= sum(lines) / len(lines) <= 75, lines
    assert all(55 <= length <= 80 for length in lines), lines  # no line strays far from the measure
    estimate = page.locator(selector).first.evaluate(ESTIMATED_LINE_LENGTH)
    assert 60 <= estimate <= 75, estimate


def test_on_a_phone_replies_stop_moving_right_past_depth_3(page: Page, live_server, essay):
    starts = comment_starts(page, f"{live_server.url}/posts/{essay}", 375)
    assert starts[0] < starts[1] < starts[2], starts
    assert starts[2] == starts[3] == starts[4], starts
    # Still a visible thread line beside the replies below depth 3.
    guide = page.locator("li.comment.depth-3 > ol.children").last.evaluate(
        "element => [getComputedStyle(element).borderLeftWidth, getComputedStyle(element).borderLeftStyle]")
    assert guide == ["2px", "solid"]


def test_on_a_wide_screen_every_depth_is_indented(page: Page, live_server, essay):
    starts = comment_starts(page, f"{live_server.url}/posts/{essay}", 1280)
    assert starts == sorted(starts) and len(set(starts)) == 5, starts
