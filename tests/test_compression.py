"""Compression: brotli or gzip for HTML, CSS, JavaScript, SVG and JSON when the client accepts it,
nothing when it does not; a cached signed-out page goes out as gzip already compressed, and the
spliced gzip member is exact for any parts and fillings."""

from __future__ import annotations

import gzip
import json
import re
import zlib

import brotli
import flask_compress.flask_compress
import pytest
from hypothesis import given
from hypothesis import strategies as st

from community.delivery.gzip_splice import STORED_BLOCK_MAX, SplicedGzip
from community.discussion.slots import MARK
from tests.conftest import post_form
from tests.factories import make_comment, make_post
from tests.test_page_cache import reader_client
from tests.test_static_files import asset_urls

GZIP = {"Accept-Encoding": "gzip"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)  # checks the CRC and the length too
    if encoding == "br":
        return brotli.decompress(response.data)
    assert encoding is None
    return response.data


@pytest.fixture
def slug(app, users) -> str:
    slug = make_post(app, title="Compressed Pages", body="An essay. " * 200)
    for number in range(5):
        make_comment(app, slug, f"Thought number {number}, at some length. " * 5)
    return slug


def test_pages_are_brotli_for_browsers_that_take_it_and_gzip_for_the_rest(client, slug):
    for headers, encoding in ((BROWSER, "br"), (GZIP, "gzip"), ({}, None)):
        response = client.get("/", headers=headers)
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert b"Compressed Pages" in decoded(response)


@pytest.mark.parametrize("kind", ["css", "js"])
def test_static_files_are_compressed_and_keep_their_caching(client, slug, kind):
    urls = asset_urls(client.get(f"/posts/{slug}").get_data(as_text=True))
    url = next(url for url in urls if url.split("?")[0].endswith(f".{kind}"))
    plain = client.get(url)
    for headers, encoding in ((BROWSER, "br"), (GZIP, "gzip")):
        response = client.get(url, headers=headers)
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Cache-Control"] == plain.headers["Cache-Control"]
        assert decoded(response) == plain.data


def test_avatars_are_compressed(client):
    response = client.get("/avatars/0123456789abcdef0123.svg", headers=GZIP)
    assert response.mimetype == "image/svg+xml"
    if len(client.get("/avatars/0123456789abcdef0123.svg").data) >= 500:
        assert response.headers["Content-Encoding"] == "gzip"
    assert decoded(response).startswith(b"<svg")


def test_json_answers_are_compressed(client, slug):
    body = "A long answer, so the JSON is worth compressing. " * 20
    response = post_form(client, f"/posts/{slug}/comments", {"body": body, "name": "Guest", "email": "g@example.org"},
                         headers={"Accept": "application/json", **GZIP})
    assert response.mimetype == "application/json"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Guest" in json.loads(decoded(response))["html"]


def page_token(page: bytes) -> bytes:
    match = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def without_tokens(page: bytes) -> bytes:
    page = page.replace(page_token(page), b"TOKEN")
    return re.sub(rb'name="form_token" value="[^"]+"', b'name="form_token" value="FORM-TOKEN"', page)


def test_a_cached_signed_out_page_is_sent_precompressed(client, slug, monkeypatch):
    plain = client.get(f"/posts/{slug}").data  # drawn and cached

    def compressed_again(*args, **kwargs):
        raise AssertionError("the cached page was compressed again")

    monkeypatch.setattr(flask_compress.flask_compress, "_compress_data", compressed_again)
    response = client.get(f"/posts/{slug}", headers=BROWSER)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    page = decoded(response)
    assert MARK.encode() not in page
    # The plain page's bytes, but for the tokens (the CSRF token, signed with the second it was made
    # in, and the comment form's one-time token, new for every drawing of the form).
    assert without_tokens(page) == without_tokens(plain)


def test_a_page_from_the_shared_cache_keeps_its_compressed_parts(app, slug):
    app.config["CACHE_TYPE"] = "SimpleCache"
    from community.extensions import cache

    cache.init_app(app)
    client = app.test_client()
    first = client.get(f"/posts/{slug}", headers=GZIP)
    app.extensions.pop("local_pages")  # this process forgets it: the next one comes from the shared cache
    second = client.get(f"/posts/{slug}", headers=GZIP)
    assert second.headers["Content-Encoding"] == "gzip"
    assert len(decoded(second)) == len(decoded(first))


def test_a_signed_in_page_is_compressed_per_answer(app, slug):
    reader = reader_client(app, "reader")
    response = reader.get(f"/posts/{slug}", headers=BROWSER)
    assert response.headers["Content-Encoding"] == "br"
    assert b"Signed in as <strong>reader</strong>" in decoded(response)


def test_clients_that_refuse_gzip_get_plain_pages(client, slug):
    client.get(f"/posts/{slug}")
    response = client.get(f"/posts/{slug}", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response.headers
    assert b"Compressed Pages" in response.data


@given(parts=st.lists(st.binary(max_size=3000), min_size=1, max_size=6), data=st.data())
def test_a_spliced_gzip_member_is_the_page_it_stands_for(parts, data):
    fillings = [data.draw(st.binary(max_size=200)) for _ in parts[1:]]
    spliced = SplicedGzip.from_stored(SplicedGzip.of(parts).stored())
    page = b"".join(part + filling for part, filling in zip(parts, [*fillings, b""]))
    assert gzip.decompress(spliced.filled(fillings)) == page


def test_long_fillings_span_several_stored_blocks():
    parts = [b"<p>" * 1000, b"</p>" * 1000]
    filling = bytes(range(256)) * (STORED_BLOCK_MAX // 128)
    member = SplicedGzip.of(parts).filled([filling])
    assert gzip.decompress(member) == parts[0] + filling + parts[1]
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert decompressor.decompress(member) == parts[0] + filling + parts[1] and decompressor.eof


def test_fillings_must_match_the_slots():
    with pytest.raises(ValueError):
        SplicedGzip.of([b"a", b"b"]).filled([])
