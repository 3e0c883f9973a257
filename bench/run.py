"""The benchmark: `make bench` (SQLite), `make bench DATABASE=postgres` (PostgreSQL + Redis, with a
two-server check), `make bench-scale` (10,000 posts and 1,000,000 comments).

For each discussion size it seeds a fresh database, serves the app with gunicorn (2 workers) on
127.0.0.1, loads it with wrk (8 connections), and measures next to each row, in the same run and
in alternating turns of a few seconds, the ceiling: the same gunicorn answering the same bytes
from memory (bench/ceiling.py)."""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SEED_PASSWORD = secrets.token_urlsafe(12)  # the seeded accounts' password, new each run
CONNECTIONS = 8
AGENT = "community-bench"
ONE_WRITER = "post a comment, one writer"
GZIP = "gzip"
GZIP_ROW = "post page, signed out, gzip"
SCALE_LABEL = "1,000,000 on 10,000 posts"


@dataclass
class Measure:
    size: str
    what: str
    rps: float
    p50_ms: float
    p99_ms: float
    ceiling_rps: float = 0.0
    errors: int = 0
    body_bytes: int = 0  # the answer's body as sent (compressed, where the row asks for it)

    @property
    def ratio(self) -> float:
        return self.rps / self.ceiling_rps if self.ceiling_rps else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    # Rate limits stay on, so their cost is measured, but high enough for one reader's load.
    env.update(DATABASE_URL=database_url, SECRET_KEY="benchmark only", FLOOD_SECONDS="0",
               HOLD_FIRST_COMMENT="false", PYTHONPATH=str(ROOT),
               SPAM_FORM_CHECKS="false",  # the load posts without drawing the form each time, as scripts do
               RATELIMIT_COMMENTS="1000000 per minute", RATELIMIT_LIKES="1000000 per minute")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def fresh_database(kind: str, name: str) -> str:
    if kind == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        for old in WORK.glob(f"{name}.sqlite3*"):
            old.unlink()
        return f"sqlite:///{WORK / name}.sqlite3"
    import sqlalchemy as sa

    base = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    database = f"bench_{name}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return sa.engine.make_url(base).set(database=database).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        database = Path(url.removeprefix("sqlite:///"))
        for leftover in database.parent.glob(f"{database.name}*"):  # -wal, -shm, .writers
            leftover.unlink()
        return
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        base = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


class Gunicorn:
    """gunicorn with 2 workers on a free port of 127.0.0.1; stopped on exit."""

    def __init__(self, target: str, env: dict[str, str], workers: int = 2, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", target],
            cwd=cwd, env=env,  # from the checkout, gunicorn reads gunicorn.conf.py, as `make serve` does
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn for {target} did not start")

    def worker_rss_mb(self) -> float:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return max(sizes, default=0.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Browser:
    """A signed-in reader's cookies, got through the real login form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        # wrk replays the cookies with the same agent: Flask-Login ties a session to it.
        self.opener.addheaders = [("User-Agent", AGENT)]

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """The answer's status and body as sent (still compressed, when `headers` accept it)."""
        try:
            with self.opener.open(urllib.request.Request(self.base + path, headers=headers or {})) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        status, body, _ = self.post_for_location(path, fields)
        return status, body

    def post_for_location(self, path: str, fields: dict[str, str]) -> tuple[int, bytes, str]:
        """The answer to a form, and where it redirects to (the address of a new comment)."""
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=data)) as response:
                return response.status, response.read(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Location", "")

    def csrf(self, path: str = "/") -> str:
        page = self.get(path)[1].decode()
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def log_in(self, name: str) -> None:
        status, _ = self.post("/auth/login", {"csrf_token": self.csrf("/auth/login"), "login": name, "password": SEED_PASSWORD})
        assert status == 302, f"could not log in as {name}: {status}"
        self.get("/")  # the welcome message

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(url: str, seconds: int, headers: list[str] = (), script: Path | None = None,
        connections: int = CONNECTIONS) -> tuple[float, float, float, int]:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in [f"User-Agent: {AGENT}", *headers]:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)[0]) if "Socket errors" in output else 0
    return rps, _latency(output, "50%"), _latency(output, "99%"), errors


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def lua_post(name: str, body_variants: list[str], cookie: str) -> Path:
    """A wrk script that POSTs form bodies in turn (a like, then an unlike, ...)."""
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / f"{name}.lua"
    bodies = ", ".join('"' + body.replace('"', '\\"') + '"' for body in body_variants)
    script.write_text(
        f'local bodies = {{{bodies}}}\nlocal n = 0\n'
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "{cookie}"\n'
        "request = function()\n  n = n + 1\n  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])\nend\n"
    )
    return script


SLICE_SECONDS = 2


@dataclass
class Slices:
    """wrk's figures over alternating slices: requests/s averaged (the slices are equally long),
    latencies as the median slice's."""

    rps: list[float]
    p50: list[float]
    p99: list[float]
    errors: int = 0

    def add(self, figures: tuple[float, float, float, int]) -> None:
        rps, p50, p99, errors = figures
        self.rps.append(rps)
        self.p50.append(p50)
        self.p99.append(p99)
        self.errors += errors

    def summary(self) -> tuple[float, float, float, int]:
        return sum(self.rps) / len(self.rps), statistics.median(self.p50), statistics.median(self.p99), self.errors


def side_by_side(app_url: str, headers: list[str], script: Path | None, body: bytes, status: int,
                 seconds: int, env: dict[str, str], connections: int = CONNECTIONS) -> tuple[tuple[float, float, float, int], float]:
    """The app and the ceiling (the same gunicorn answering the same bytes from memory), measured
    in turns of a few seconds each, so a change in the machine's load weighs on both alike."""
    WORK.mkdir(parents=True, exist_ok=True)
    body_file = WORK / "ceiling-body.bin"
    body_file.write_bytes(body)
    ceiling_env = dict(env, CEILING_BODY=str(body_file), CEILING_STATUS="302 FOUND" if status == 302 else "200 OK",
                       PYTHONPATH=str(ROOT / "bench"))
    app, ceiling = Slices([], [], []), Slices([], [], [])
    # From bench/: the ceiling has no app to preload, so it reads no gunicorn.conf.py.
    with Gunicorn("ceiling:app", ceiling_env, cwd=ROOT / "bench") as server:
        for _ in range(max(1, round(seconds / SLICE_SECONDS))):
            app.add(wrk(app_url, SLICE_SECONDS, headers, script, connections))
            ceiling.add(wrk(server.url + "/", SLICE_SECONDS, script=script, connections=connections))
    return app.summary(), ceiling.summary()[0]


def measure_size(size: int, kind: str, redis_url: str | None, seconds: int, scale: bool = False) -> tuple[list[Measure], float]:
    label = f"{size:,}" if not scale else SCALE_LABEL
    url = fresh_database(kind, f"n{size}")
    env = app_env(url, redis_url)
    flask(env, "db", "upgrade")
    seed_args = ["seed-discussion", "--comments", str(size), "--password", SEED_PASSWORD] + (["--posts", "10000", "--readers", "2000"] if scale else [])
    seeded = flask(env, *seed_args).strip().splitlines()
    post_path, reader_name = seeded[-1], re.search(r"sign in as (\S+)", seeded[-2]).group(1)
    rows: list[Measure] = []
    rss = 0.0
    try:
        with Gunicorn("wsgi:app", env) as server:
            reader = Browser(server.url)
            reader.log_in(reader_name)
            anonymous = Browser(server.url)
            for _ in range(3):  # the shared copies are drawn once
                anonymous.get(post_path)
                reader.get(post_path)
            c = CONNECTIONS
            cases = [
                # A first visit gets a new session and CSRF token every time; a returning reader's
                # browser sends back the cookie it kept.
                ("post page, signed out", post_path, [], None, anonymous.get(post_path), c),
                # The same page for a browser that takes gzip: the cached page's parts are
                # compressed once, so this row shows what sending fewer bytes costs or saves.
                (GZIP_ROW, post_path, [f"Accept-Encoding: {GZIP}"], None, anonymous.get(post_path, {"Accept-Encoding": GZIP}), c),
                ("post page, signed out, returning", post_path, [f"Cookie: {anonymous.cookie_header}"], None,
                 anonymous.get(post_path), c),
                ("post page, signed in", post_path, [f"Cookie: {reader.cookie_header}"], None, reader.get(post_path), c),
                ("index", "/", [], None, anonymous.get("/"), c),
            ]
            if not scale:
                token = reader.csrf(post_path)
                comment_id = re.search(rb'data-like="c(\d+)"', reader.get(post_path)[1]).group(1).decode()
                comment_script = lua_post("comment", [f"csrf_token={urllib.parse.quote(token)}&body=A+benchmark+thought"], reader.cookie_header)
                like_script = lua_post("like", [f"csrf_token={urllib.parse.quote(token)}&liked={v}" for v in ("1", "0")], reader.cookie_header)
                cases += [
                    # Writers take turns on SQLite, so with 8 at once most of a comment's time is
                    # the wait for the others; one writer alone shows what a comment itself takes.
                    ("post a comment", f"{post_path}/comments", [], comment_script, (302, b""), c),
                    (ONE_WRITER, f"{post_path}/comments", [], comment_script, (302, b""), 1),
                    ("toggle a like", f"/likes/comments/{comment_id}", [], like_script, (302, b""), c),
                ]
            for what, path, headers, script, (status, body), connections in cases:
                (rps, p50, p99, errors), ceiling_rps = side_by_side(server.url + path, headers, script, body, status,
                                                                    seconds, env, connections)
                rows.append(Measure(label, what, rps, p50, p99, ceiling_rps=ceiling_rps, errors=errors,
                                    body_bytes=len(body)))
                print(f"  {label:>8}  {what:<32} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms"
                      f"  ceiling {rows[-1].ceiling_rps:8.0f}  ratio {rows[-1].ratio:.2f}", flush=True)
            rss = server.worker_rss_mb()
    finally:
        drop_database(url)
    return rows, rss


def scale_out_check(redis_url: str) -> str:
    """Two gunicorn instances behind one PostgreSQL and one Redis: a comment posted on one is on
    the other's next page."""
    url = fresh_database("postgres", "scaleout")
    env = app_env(url, redis_url)
    try:
        flask(env, "db", "upgrade")
        seeded = flask(env, "seed-discussion", "--comments", "200", "--password", SEED_PASSWORD).strip().splitlines()
        post_path, reader_name = seeded[-1], re.search(r"sign in as (\S+)", seeded[-2]).group(1)
        with Gunicorn("wsgi:app", env) as first, Gunicorn("wsgi:app", env) as second:
            # A new thread goes on the discussion's last page: read that page on the second server
            # first, so its copy is cached there, then post on the first.
            last_page = max([1, *map(int, re.findall(rb"cpage=(\d+)", Browser(second.url).get(post_path)[1]))])
            page_path = f"{post_path}?cpage={last_page}" if last_page > 1 else post_path
            before = Browser(second.url).get(page_path)[1]
            writer = Browser(first.url)
            writer.log_in(reader_name)
            marker = f"Posted on the first server {uuid.uuid4().hex[:6]}"
            status, _, location = writer.post_for_location(
                f"{post_path}/comments", {"csrf_token": writer.csrf(post_path), "body": marker})
            after = Browser(second.url).get(location.split("#")[0].removeprefix(first.url))[1]
            ok = status == 302 and marker.encode() not in before and marker.encode() in after
            return "passed" if ok else f"FAILED (answer {status}, then {location or 'no address'})"
    finally:
        drop_database(url)


def report(rows: list[Measure], rss: float, kind: str, redis: bool, scale_out: str | None) -> str:
    cores = os.cpu_count()
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cores} cores; {kind}"
        f"{' + Redis' if redis else ''}; gunicorn 2 workers; wrk {CONNECTIONS} connections, each row in turns "
        f"of {SLICE_SECONDS} s with its ceiling.",
        "",
        "| comments | request | req/s | p50 ms | p99 ms | ceiling req/s | ratio to ceiling | errors | body kB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| {row.size} | {row.what} | {row.rps:,.0f} | {row.p50_ms:.2f} | {row.p99_ms:.2f} | "
                     f"{row.ceiling_rps:,.0f} | {row.ratio:.2f} | {row.errors} | {row.body_bytes / 1000:,.1f} |")
    lines += ["", f"Largest worker memory: {rss:.0f} MB.", ""]
    lines += compression(rows)
    lines += targets(rows, rss)
    if scale_out:
        lines += ["", f"Two app servers behind one database and Redis, a comment posted on one shown by the other: {scale_out}."]
    return "\n".join(lines) + "\n"


def compression(rows: list[Measure]) -> list[str]:
    """The signed-out post page with gzip beside the same page plain, for each size."""
    lines = []
    for zipped in (r for r in rows if r.what == GZIP_ROW):
        plain = next((r for r in rows if r.size == zipped.size and r.what == "post page, signed out"), None)
        if plain and plain.body_bytes and plain.rps:
            lines.append(f"- {zipped.size} comments: {plain.body_bytes / 1000:,.1f} kB plain, "
                         f"{zipped.body_bytes / 1000:,.1f} kB gzip ({zipped.body_bytes / plain.body_bytes:.0%}); "
                         f"{zipped.rps:,.0f} req/s gzip against {plain.rps:,.0f} plain ({zipped.rps / plain.rps:.2f}×)")
    return ["Compression, the signed-out post page:", "", *lines, ""] if lines else []


def targets(rows: list[Measure], rss: float) -> list[str]:
    def find(size: str, what: str) -> Measure | None:
        return next((r for r in rows if r.size == size and r.what == what), None)

    checks = []
    out_200, in_200 = find("200", "post page, signed out"), find("200", "post page, signed in")
    out_20k = find("20,000", "post page, signed out")
    posting = [r for r in rows if r.what == "post a comment"]
    back_200 = find("200", "post page, signed out, returning")
    if out_200:
        checks.append(("signed-out post page at 200 comments ≥ 0.50 of the ceiling, first visit", out_200.ratio >= 0.5, f"{out_200.ratio:.2f}"))
    if back_200:
        checks.append(("signed-out post page at 200 comments ≥ 0.50 of the ceiling, returning reader", back_200.ratio >= 0.5, f"{back_200.ratio:.2f}"))
    if in_200:
        checks.append(("signed-in post page at 200 comments ≥ 0.25 of the ceiling", in_200.ratio >= 0.25, f"{in_200.ratio:.2f}"))
    if out_200 and out_20k:
        factor = out_20k.p50_ms / out_200.p50_ms
        checks.append(("page 1 at 20,000 comments within 1.5× the time of 200", factor <= 1.5, f"{factor:.2f}×"))
    if posting:
        worst = max(r.p50_ms for r in posting)
        checks.append((f"posting a comment under 20 ms at p50, {CONNECTIONS} writers at once", worst < 20, f"{worst:.2f} ms"))
    alone = [r for r in rows if r.what == ONE_WRITER]
    if alone:
        worst = max(r.p50_ms for r in alone)
        checks.append(("posting a comment under 20 ms at p50, one writer", worst < 20, f"{worst:.2f} ms"))
    for what in ("post page, signed out", "index"):
        small, large = find("200", what), find(SCALE_LABEL, what)
        if small and large:
            factor = large.p50_ms / small.p50_ms
            checks.append((f"{what} among 1,000,000 comments on 10,000 posts within 1.5× the time of one post of 200",
                           factor <= 1.5, f"{factor:.2f}×"))
    checks.append(("a worker under 150 MB", rss < 150, f"{rss:.0f} MB"))
    return ["Targets:", ""] + [f"- {'met' if ok else 'NOT met'}: {name} ({value})" for name, ok, value in checks]


def update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{start}\n{table}{end}{after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="20,200,2000,20000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--scale", action="store_true", help="10,000 posts with 1,000,000 comments")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    redis_url = os.environ.get("REDIS_URL") or ("redis://127.0.0.1:6379/14" if args.database == "postgres" else None)
    # At scale, one post of 200 comments is measured first in the same run, as the yardstick.
    sizes = [(200, False), (1_000_000, True)] if args.scale else [(int(s), False) for s in args.sizes.split(",")]
    rows: list[Measure] = []
    rss = 0.0
    for size, at_scale in sizes:
        print(f"== {size:,} comments ({args.database}{' + Redis' if redis_url else ''}) ==", flush=True)
        size_rows, size_rss = measure_size(size, args.database, redis_url, args.seconds, scale=at_scale)
        rows += size_rows
        rss = max(rss, size_rss)
    scale_out = scale_out_check(redis_url) if args.database == "postgres" and not args.scale else None
    table = report(rows, rss, args.database, bool(redis_url), scale_out)
    print("\n" + table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(timezone.utc):%Y%m%d-%H%M}-{args.database}{'-scale' if args.scale else ''}-{os.cpu_count()}cores.md"
    (RESULTS / name).write_text(table)
    if args.database == "sqlite" and not args.scale and args.sizes == "20,200,2000,20000":
        update_readme(table)
    return 1 if scale_out and scale_out.startswith("FAILED") else 0


if __name__ == "__main__":
    sys.exit(main())
