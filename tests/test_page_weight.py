"""The page weight budget: every script together at most 8 KB gzipped, and the reading face's
files (all a page can fetch of them) at most 80 KB; both served from the site itself."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "community" / "static"


def test_all_javascript_together_is_at_most_8_kb_gzipped():
    sizes = {path.name: len(gzip.compress(path.read_bytes(), 9)) for path in (STATIC / "js").glob("*.js")}
    assert sum(sizes.values()) <= 8 * 1024, sizes


def test_the_webfont_files_together_are_at_most_80_kb():
    fonts = list((STATIC / "fonts").glob("*.woff2"))
    assert fonts, "the reading face is self-hosted"
    assert sum(path.stat().st_size for path in fonts) <= 80 * 1024


def test_every_page_loads_the_site_script_and_the_reading_face_with_font_display_swap(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/js/site.js?v=" in page
    css = (STATIC / "css" / "site.css").read_text()
    assert css.count("@font-face") == css.count("font-display: swap") == len(list((STATIC / "fonts").glob("*.woff2")))
