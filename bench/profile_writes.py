"""Where a write's time goes: `python bench/profile_writes.py [--comments 2000] [--writes 300]`.

Seeds a SQLite discussion in a scratch folder, signs a reader in through the app's own test client
(the whole request path: routing, session, CSRF, rate limits, the service, the commit), then posts
comments and toggles likes under cProfile, and prints, for each kind of write, the functions that
took the most time by themselves and with what they called. No server, no network: the profile is
of the app alone."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="community-profile-")
    os.environ.update(DATABASE_URL=f"sqlite:///{folder}/profile.sqlite3", SECRET_KEY="profile only",
                      FLOOD_SECONDS="0", HOLD_FIRST_COMMENT="false",
                      RATELIMIT_COMMENTS="1000000 per minute", RATELIMIT_LIKES="1000000 per minute")
    from flask_migrate import upgrade

    from community import create_app
    from community.extensions import db
    from community.seeding import seed_discussion

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        report = seed_discussion(args.comments, "profile password", readers=50)
        db.session.remove()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post("/auth/login", data={"csrf_token": token, "login": report.a_reader, "password": "profile password"})
    assert answer.status_code == 302, answer.status_code
    post_path = report.post_paths[0]
    page = client.get(post_path).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    comment_id = re.search(r'data-like="c(\d+)"', page).group(1)

    def like(n: int) -> None:
        answer = client.post(f"/likes/comments/{comment_id}", data={"csrf_token": token, "liked": "1" if n % 2 == 0 else "0"})
        assert answer.status_code == 302, answer.status_code

    def comment(n: int) -> None:
        answer = client.post(f"{post_path}/comments", data={"csrf_token": token, "body": f"A profiled thought {n}"})
        assert answer.status_code == 302, answer.status_code

    for name, write in (("toggle a like", like), ("post a comment", comment)):
        for n in range(20):  # warm: the first requests fill caches
            write(n)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for n in range(args.writes):
            write(n)
        profile.disable()
        elapsed = time.perf_counter() - started
        print(f"== {name}: {args.writes} writes at {args.comments:,} comments, "
              f"{elapsed / args.writes * 1000:.2f} ms each under the profiler ==")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"-- by {order} --")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(args.top + 2) * 200:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
