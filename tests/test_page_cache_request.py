"""A cached post page carries nothing of the request that filled it: not its query string (the
"Log in" link's next=), not its host, not its headers."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_post

LOGIN_LINK = re.compile(r'href="(/auth/login[^"]*)">Log in</a>')


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Shared Pages")


@pytest.mark.parametrize("query", ["?next=//evil.example", "?utm=%22%3E%3Cb%3Epoisoned", "?x=1&next=/auth/logout"])
def test_the_first_guest_does_not_decide_what_later_guests_get(app, slug, query):
    first = app.test_client().get(f"/posts/{slug}{query}", base_url="http://attacker.example:8443",
                                  headers={"X-Forwarded-Host": "attacker.example"})
    assert first.status_code == 200
    later = app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    assert LOGIN_LINK.search(later).group(1) == f"/auth/login?next=/posts/{slug}"
    assert "evil" not in later and "poisoned" not in later and "attacker" not in later and "x=1" not in later


def test_the_page_of_comments_is_part_of_the_key_and_kept(app, slug):
    page = app.test_client().get(f"/posts/{slug}?cpage=1&junk=1").get_data(as_text=True)
    assert "junk" not in LOGIN_LINK.search(page).group(1)
