"""Static files: content-hashed URLs from url_for, a year of caching under the current hash, and no
template naming a static path by hand."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from community import PACKAGE_DIR
from community.delivery.static_files import IMMUTABLE, file_version

ROOT = Path(__file__).resolve().parents[1]


class AssetLinks(HTMLParser):
    """The stylesheet and script addresses of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet":
            self.urls.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.urls.append(values["src"])


def asset_urls(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.urls


def sha256_prefix(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_static_files_by_their_content_hash(client):
    urls = asset_urls(client.get("/").get_data(as_text=True))
    stylesheet = next(url for url in urls if urlsplit(url).path == "/static/css/site.css")
    assert parse_qs(urlsplit(stylesheet).query) == {"v": [sha256_prefix(PACKAGE_DIR / "static/css/site.css")]}


def test_a_static_file_under_its_hash_is_cached_for_a_year(client):
    stylesheet = next(url for url in asset_urls(client.get("/").get_data(as_text=True)) if "site.css" in url)
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.data == (PACKAGE_DIR / "static/css/site.css").read_bytes()
    again = client.get(stylesheet, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == IMMUTABLE


def test_a_static_file_without_its_current_hash_is_not_cached(client):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    shutil.copytree(PACKAGE_DIR / "static", tmp_path / "static")
    app.static_folder = str(tmp_path / "static")
    client = app.test_client()
    before = next(url for url in asset_urls(client.get("/").get_data(as_text=True)) if "site.css" in url)
    (tmp_path / "static/css/site.css").write_text("body { color: black; }\n")
    after = next(url for url in asset_urls(client.get("/").get_data(as_text=True)) if "site.css" in url)
    assert before != after
    assert client.get(before).headers["Cache-Control"] != IMMUTABLE  # the old address pins nothing
    assert client.get(after).headers["Cache-Control"] == IMMUTABLE
    assert client.get(after).data == b"body { color: black; }\n"


def test_templates_never_name_a_static_path():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html")
                 if "/static/" in path.read_text()]
    assert offenders == [], "use url_for('static', filename=...) so the URL carries the file's hash"


def test_the_stylesheet_names_each_font_by_its_current_hash(app):
    """The stylesheet cannot call url_for, so its url()s carry the hash by hand: a changed font
    file must change its address there too, or browsers would keep the old one for a year."""
    css = (ROOT / "community" / "static" / "css" / "site.css").read_text()
    targets = re.findall(r"url\(\.\./([^)?]+)\?v=([0-9a-f]+)\)", css)
    assert targets, "the fonts are named in the stylesheet"
    with app.app_context():
        for filename, version in targets:
            assert file_version(filename) == version, f"{filename}: write ?v={file_version(filename)} in site.css"
