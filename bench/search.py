"""How fast /search answers over a big site (run by `make bench`; issue 15 asks p50 < 50 ms over
1,000,000 comments on both databases).

    .venv/bin/python bench/search.py [--database sqlite|postgres] [--comments 1000000] [--queries 300]

A scratch database (a file, or a new PostgreSQL database beside BENCH_POSTGRES_URL's) is built by
the migrations and seeded with bulk INSERTs: 200 essays and N comments whose words are drawn from
the 30,000 commonest words of English Wikipedia (zxcvbn's list) by their rank, as Zipf's law has
it, so a word is as rare or common as it is in people's writing. Searches are drawn the same way,
skipping the 100 commonest words (the ones nobody searches for alone): one, two or three words.
Each is asked through the app's whole request path (the test client: routing, the search, the
template), first once to warm the caches, then timed; the figures are per request, wall clock and
CPU, with how many comments each search matched."""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from community.seeding import seed_discussion  # noqa: E402

TARGET_P50_MS = 50.0
SKIP_COMMONEST = 100


def zipf_words() -> tuple[list[str], list[float]]:
    """The words by rank and their cumulative weights (1/rank)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = [word for word in FREQUENCY_LISTS["english_wikipedia"] if word.isalpha()]
    return words, list(itertools.accumulate(1.0 / rank for rank in range(1, len(words) + 1)))


def body_maker(words: list[str], cumulative: list[float]):
    total = cumulative[-1]

    def body_of(rng: random.Random) -> tuple[str, str]:
        count = rng.randint(8, 60)
        text = " ".join(words[bisect.bisect(cumulative, rng.random() * total)] for _ in range(count))
        text = text[:1].upper() + text[1:] + "."
        return text, f"<p>{escape(text)}</p>"  # plain words: what the pipeline writes for them

    return body_of


def queries(words: list[str], cumulative: list[float], count: int, rng: random.Random) -> list[str]:
    low, total = cumulative[SKIP_COMMONEST - 1], cumulative[-1]
    made = []
    for _ in range(count):
        size = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        made.append(" ".join(words[bisect.bisect(cumulative, low + rng.random() * (total - low))] for _ in range(size)))
    return made


def scratch_database(kind: str, folder: str) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{folder}/search-bench.sqlite3", lambda: None
    base = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    name = f"community_search_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    arguments = parser.parse_args()
    words, cumulative = zipf_words()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(arguments.database, folder)
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "search bench", "PAGE_CACHE": False,
                              "RATELIMIT_ENABLED": False})
            started = time.perf_counter()
            with app.app_context():
                from flask_migrate import upgrade

                upgrade(directory=str(ROOT / "migrations"))
                seed_discussion(arguments.comments, "search bench password", posts=200, readers=200,
                                body_of=body_maker(words, cumulative))
                db.session.remove()
            print(f"seeded {arguments.comments:,} comments in {time.perf_counter() - started:.0f} s", flush=True)
            asked = queries(words, cumulative, arguments.queries, random.Random(15))
            client = app.test_client()
            for query in asked[:20]:  # the caches and the planner warm up
                client.get("/search", query_string={"q": query})
            wall, cpu, results = [], [], []
            for query in asked:
                started_wall, started_cpu = time.perf_counter(), time.process_time()
                answer = client.get("/search", query_string={"q": query})
                wall.append((time.perf_counter() - started_wall) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert answer.status_code == 200, (query, answer.status_code)
                results.append(answer.get_data(as_text=True).count('class="search-result search-result--'))
            report(arguments, wall, cpu, results, sum(1 for found in results if found))
        finally:
            drop()
    return 0


def report(arguments, wall: list[float], cpu: list[float], results: list[int], with_hits: int) -> None:
    def quantile(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    p50 = statistics.median(wall)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Search, measured {stamp} on {os.cpu_count()} cores; {arguments.database}; "
        f"{arguments.comments:,} comments under 200 essays; {len(wall)} searches through the app's request path.",
        "",
        "| | p50 ms | p90 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| wall clock | {p50:.1f} | {quantile(wall, 90):.1f} | {quantile(wall, 99):.1f} | {max(wall):.1f} |",
        f"| CPU of the app | {statistics.median(cpu):.1f} | {quantile(cpu, 90):.1f} | {quantile(cpu, 99):.1f} | {max(cpu):.1f} |",
        "",
        f"{with_hits} of {len(wall)} searches found something; target p50 < {TARGET_P50_MS:.0f} ms: "
        f"{'met' if p50 < TARGET_P50_MS else 'NOT met'} ({p50:.1f} ms).",
    ]
    text = "\n".join(lines)
    print(text)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = f"search-{datetime.now(timezone.utc):%Y%m%d-%H%M}-{arguments.database}.md"
    (results_dir / name).write_text(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
