"""Hostile and broken export files: entity bombs and external entities are refused by defusedxml,
a malformed file stops with its line and column; in every case nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_authorization_matrix import snapshot

EXPORT = Path(__file__).parent / "data" / "wordpress" / "field-notes.xml"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><title>&lol4;</title></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>
"""


def run(runner, tmp_path: Path, content: str, command: str = "import-wordpress"):
    path = tmp_path / "export.xml"
    path.write_text(content)
    return runner.invoke(args=[command, str(path)])


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-bomb", "external-entity"])
def test_entities_are_refused_and_nothing_is_written(app, users, runner, tmp_path, content):
    before = snapshot(app)
    result = run(runner, tmp_path, content)
    assert result.exit_code == 1
    assert "refused as unsafe" in result.output and "Nothing was imported." in result.output
    assert "root:" not in result.output
    assert snapshot(app) == before


def test_a_file_cut_short_stops_with_line_and_column_and_writes_nothing(app, users, runner, tmp_path):
    whole = EXPORT.read_text()
    cut = whole[: whole.index("<title>Half a thought</title>")]  # two whole posts, then the end
    before = snapshot(app)
    result = run(runner, tmp_path, cut)
    assert result.exit_code == 1
    lines = cut.count("\n") + 1
    assert f"not well-formed XML at line {lines}, column" in result.output
    assert "Nothing was imported." in result.output
    assert snapshot(app) == before  # not even the posts read before the error


def test_a_malformed_tag_is_placed_exactly(app, users, runner, tmp_path):
    result = run(runner, tmp_path, "<rss>\n<channel>\n  <title>Broken</titel>\n</channel></rss>")
    assert result.exit_code == 1
    assert "line 3, column 18: mismatched tag" in result.output


def test_not_xml_at_all(app, users, runner, tmp_path):
    result = run(runner, tmp_path, "This is a letter, not an export.")
    assert result.exit_code == 1
    assert "line 1, column 1: syntax error" in result.output
