"""What the spam filter costs (run by `make bench`): the time `assess` adds to posting a comment
(every signal and the learned score, against a database holding a trained filter and a day of
fingerprints), and the size of the statistics after many decisions, kept under SPAM_MAX_TOKENS.

    .venv/bin/python bench/spam_score.py [--database sqlite|postgres] [--learn 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from community.services.settings import default_settings  # noqa: E402
from community.spam import classifier  # noqa: E402
from community.spam.cli import read_corpus, split  # noqa: E402
from community.spam.form_token import FormEvidence  # noqa: E402
from community.spam.signals import assess  # noqa: E402
from community.spam.training import learn_text  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "spam" / "corpus.csv"
TARGET_MS = 5.0


def database_url(kind: str, folder: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/spam-bench.sqlite3"
    import os
    return os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--learn", type=int, default=20_000, help="synthetic decisions for the bound check")
    parser.add_argument("--max-tokens", type=int, default=20_000, help="SPAM_MAX_TOKENS for the bound check")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(arguments.database, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PAGE_CACHE": False,
                          "CACHE_TYPE": "NullCache", "SPAM_MAX_TOKENS": arguments.max_tokens})
        with app.app_context(), app.test_request_context():
            if arguments.database == "postgres":
                db.drop_all()
            db.create_all()
            train, test = split(read_corpus(CORPUS), 0.5, 14)
            for is_spam, text in train:
                learn_text(text, is_spam)
            db.session.commit()
            settings = default_settings()
            timings, cpu = [], []
            for number, (_, text) in enumerate(test * 2):
                started, started_cpu = time.perf_counter(), time.process_time()
                assess(text, None, FormEvidence(nonce=f"bench-{number}", seconds=60.0), settings)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            db.session.rollback()
            p50, p99 = statistics.median(timings), statistics.quantiles(timings, n=100)[98]
            print(f"spam assess ({arguments.database}, {classifier.token_count()} tokens learned from {len(train)} comments): "
                  f"p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(timings)} comments; "
                  f"this process's CPU p50 {statistics.median(cpu):.2f} ms (the rest is waiting on a busy machine)")

            rng = random.Random(14)
            largest = 0
            started = time.perf_counter()
            for number in range(arguments.learn):
                words = " ".join(f"w{rng.randrange(10 ** 7)}" for _ in range(30))  # mostly never seen again
                learn_text(f"{words} common words here", number % 2 == 0)
                if number % 1000 == 999:
                    db.session.commit()
                    largest = max(largest, classifier.token_count())
            db.session.commit()
            seconds = time.perf_counter() - started
            bound = arguments.max_tokens + classifier.PRUNE_EVERY * 70  # a decision adds at most ~70 new tokens here
            print(f"learning {arguments.learn} decisions: {arguments.learn / seconds:.0f} a second; largest table "
                  f"{largest} tokens (SPAM_MAX_TOKENS {arguments.max_tokens})")
            if arguments.database == "postgres":
                db.drop_all()
            db.engine.dispose()
    checks = [(f"scoring a comment adds under {TARGET_MS:.0f} ms at p50", p50 < TARGET_MS, f"{p50:.2f} ms"),
              ("the statistics stay bounded", largest <= bound, f"{largest} ≤ {bound}")]
    for name, met, figure in checks:
        print(f"target {name}: {'met' if met else 'MISSED'} ({figure})")
    return 0 if all(met for _, met, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
