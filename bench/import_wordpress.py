"""The import benchmark (part of `make bench`; `make bench-import` alone): a generated WordPress
export is imported into a fresh database (SQLite, or PostgreSQL with --database postgres) by
`flask import-wordpress` in its own process, timed, with that process's CPU time and peak memory
(ru_maxrss). By default 200 posts and 20,000 comments (about 20 MB, well under a minute); the
issue's 2,000 posts and 200,000 comments with --size 200MB (--posts/--comments for any other).
Results go to bench/results/import-*.md.

The text is made up here from a small vocabulary: no real blog is copied."""

from __future__ import annotations

import argparse
import os
import random
import resource
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
WORDS = ("walk moor stream fog bread map compass rain ferry bakery wind island path stone bridge field "
         "morning evening slow quiet river hill sheep gate wall letter window road light weather").split()
TARGET_RATE = 3_000  # comments a second
TARGET_RSS_MB = 250


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def comment_xml(rng: random.Random, comment_id: int, parent: int, when: datetime, size: int) -> str:
    paragraphs = "\n\n".join(" ".join(sentence(rng, 12) for _ in range(3)) for _ in range(max(1, size // 300)))
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    guest = rng.randrange(5_000)
    return (f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
            f"<wp:comment_author>Walker {guest}</wp:comment_author>"
            f"<wp:comment_author_email>walker{guest}@example.net</wp:comment_author_email>"
            f"<wp:comment_author_url>https://walker{guest}.example</wp:comment_author_url>"
            f"<wp:comment_author_IP>192.0.2.{guest % 250}</wp:comment_author_IP>"
            f"<wp:comment_date>{stamp}</wp:comment_date><wp:comment_date_gmt>{stamp}</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{paragraphs}]]></wp:comment_content>"
            f"<wp:comment_approved>{rng.choice(('1', '1', '1', '1', '0', 'spam'))}</wp:comment_approved>"
            f"<wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
            f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n")


def write_export(path: Path, posts: int, comments: int, comment_bytes: int) -> None:
    rng = random.Random(13)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    per_post = comments // posts
    comment_id = 1
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
                  "<channel><title>Bench Notes</title><link>https://bench.example</link>"
                  "<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://bench.example</wp:base_blog_url>\n"
                  "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>bencher</wp:author_login>"
                  "<wp:author_email>bencher@bench.example</wp:author_email></wp:author>\n")
        for number in range(1, posts + 1):
            when = start + timedelta(days=number)
            body = "\n\n".join(" ".join(sentence(rng, 14) for _ in range(4)) for _ in range(6))
            out.write(f"<item><title>{escape(sentence(rng, 4))} {number}</title><dc:creator>bencher</dc:creator>"
                      f"<content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{number}</wp:post_id>"
                      f"<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                      f"<wp:post_name>bench-{number}</wp:post_name><wp:status>publish</wp:status>"
                      f"<wp:post_type>post</wp:post_type>\n")
            first = comment_id
            for offset in range(per_post):
                parent = rng.randrange(first, comment_id) if comment_id > first and rng.random() < 0.5 else 0
                out.write(comment_xml(rng, comment_id, parent, when + timedelta(minutes=offset), comment_bytes))
                comment_id += 1
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def sizes(args: argparse.Namespace) -> tuple[int, int]:
    """(posts, comments): --size in MB at about 1,000 comments and 10 posts a MB, unless given."""
    megabytes = int(args.size.upper().removesuffix("MB"))
    return args.posts or 10 * megabytes, args.comments or 1_000 * megabytes


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="20MB", help="20MB (the default) or 200MB (the issue's full file)")
    parser.add_argument("--posts", type=int, help="instead of the size's")
    parser.add_argument("--comments", type=int, help="instead of the size's")
    parser.add_argument("--comment-bytes", type=int, default=900, help="about this much text per comment")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    posts, comments = sizes(args)
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    export = WORK / f"wordpress-{posts}-{comments}.xml"
    if not export.exists():
        write_export(export, posts, comments, args.comment_bytes)
    sys.path.insert(0, str(ROOT / "bench"))
    from run import drop_database, fresh_database

    url = fresh_database(args.database, "import-bench")
    try:
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench, not a secret"}
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        cpu_before = cpu_seconds_of_children()
        began = time.perf_counter()
        done = subprocess.run([*flask, "import-wordpress", str(export)], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - began
        cpu = cpu_seconds_of_children() - cpu_before
    finally:
        drop_database(url)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = comments / seconds
    found = re.search(r"^Imported in ([\d,.]+) s\.$", done.stdout, re.MULTILINE)
    imported_in = float(found.group(1).replace(",", "")) if found else seconds
    size_mb = export.stat().st_size / 1e6
    load = os.getloadavg()[0]
    lines = [
        f"Import of a generated WordPress export, measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on "
        f"{os.cpu_count()} cores (load average {load:.1f} when it ended), "
        f"{'PostgreSQL' if args.database == 'postgres' else 'SQLite'}: {posts:,} posts, {comments:,} comments, "
        f"{size_mb:,.0f} MB.",
        "",
        f"- time: {seconds:,.1f} s; {rate:,.0f} comments/s "
        f"({'met' if rate >= TARGET_RATE else 'NOT met'}: at least {TARGET_RATE:,}/s)",
        f"- of which the import itself (until its commit; then the spam filter learns from it): "
        f"{imported_in:,.1f} s; {comments / imported_in:,.0f} comments/s "
        f"({'met' if comments / imported_in >= TARGET_RATE else 'NOT met'}: at least {TARGET_RATE:,}/s)",
        f"- CPU time of the importing process: {cpu:,.1f} s; {comments / cpu:,.0f} comments per CPU-second "
        "(what the rate would be on an idle core, if the database waited for nothing)",
        f"- peak memory of the importing process: {rss_mb:,.0f} MB "
        f"({'met' if rss_mb < TARGET_RSS_MB else 'NOT met'}: under {TARGET_RSS_MB} MB)",
        "", "```", done.stdout.strip(), "```",
    ]
    result = RESULTS / f"import-{datetime.now(timezone.utc):%Y%m%d-%H%M}-{args.database}.md"
    result.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
