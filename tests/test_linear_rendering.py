"""Rendering any accepted text is linear in its length: the worst inputs known (bare links run
together, nested emphasis, lists and quotes, backticks, brackets) are rendered at 10,000 and
100,000 characters, and the larger may cost at most a generous multiple of ten times the smaller.
Quadratic work would cost a hundred times; no absolute time is asserted (the machine may be busy)."""

from __future__ import annotations

import time

import pytest

from community.text import render_comment, render_essay

WORST = {
    "links run together": lambda n: "http://a" * (n // 8),
    "links and spaces": lambda n: "http://a.example " * (n // 17),
    "www run together": lambda n: "www.a" * (n // 5),
    "emails run together": lambda n: "a@a." * (n // 4),
    "plus signs": lambda n: "a+" * (n // 2),
    "nested emphasis": lambda n: "*" * (n // 2) + "a" + "*" * (n // 2),
    "alternating emphasis": lambda n: "*a _" * (n // 4),
    "underscores": lambda n: "_a" * (n // 2),
    "nested lists": lambda n: "- " * (n // 2),
    "indented lists": lambda n: "".join(" " * (i % 40) + "- a\n" for i in range(n // 24)),
    "nested quotes": lambda n: ">" * n,
    "quotes and lists": lambda n: "> - " * (n // 4),
    "backticks": lambda n: "`" * n,
    "backtick runs": lambda n: "".join("`" * (i % 50 + 1) + "a" for i in range(n // 26)),
    "open brackets": lambda n: "[" * n,
    "unfinished links": lambda n: "[a](" * (n // 4),
    "entities": lambda n: "&#1;" * (n // 4),
    "closing parentheses after a link": lambda n: "http://a.example/" + ")" * (n - 17),
}


def cost(render, text: str) -> float:
    best = float("inf")
    for _attempt in range(2):
        started = time.perf_counter()
        render(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", WORST)
def test_the_worst_inputs_render_in_linear_time(name):
    make = WORST[name]
    small, large = make(10_000), make(100_000)
    assert 90_000 <= len(large) <= 102_000
    ratio = cost(render_essay, large) / max(cost(render_essay, small), 1e-4)
    assert ratio < 35, f"{name}: 10× the text cost {ratio:.0f}× the time"


def test_a_comment_of_the_worst_links_is_still_links():
    html = render_comment("see http://a.example and www.b.example, or write to c@d.example.")
    assert html.count("<a ") == 3 and 'href="http://www.b.example"' in html and 'href="mailto:c@d.example"' in html
