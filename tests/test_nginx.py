"""deploy/nginx.conf, as shipped, run by Debian's nginx in front of gunicorn (TRUSTED_PROXIES=1):
pages and redirects work through it, static files come from disk with the year-long header,
answers are compressed, bodies are limited, and rate limits see the client's address, which a
forged X-Forwarded-For does not change.

nginx runs as this user in one process (no master, no user switch) with its own prefix, temp
directories and logs under tmp_path, on free ports of 127.0.0.1, under `timeout`; the test stops it."""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from community import PACKAGE_DIR, create_app
from community.delivery.static_files import IMMUTABLE
from community.extensions import db
from community.models import Role
from community.services.accounts import create_account
from tests.conftest import PASSWORD, empty_all_tables, test_config
from tests.factories import make_post
from tests.live_server import free_port
from tests.test_gunicorn_config import serve
from tests.test_static_files import asset_urls

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "community.example"
LIFETIME = 300  # seconds nginx may live at most, whatever happens to the test

needs_nginx = pytest.mark.skipif(
    not (os.path.exists(NGINX) and shutil.which("openssl")) and os.environ.get("CI") != "true",
    reason="nginx or openssl is not installed (apt-get install nginx openssl)",
)
pytestmark = needs_nginx


def adapted(conf: str, replacements: dict[str, str]) -> str:
    """deploy/nginx.conf with this machine's ports and paths; each replaced text must be there, so
    an edit of the file that this test does not follow fails here rather than testing less."""
    for old, new in replacements.items():
        assert old in conf, f"deploy/nginx.conf no longer contains {old!r}"
        conf = conf.replace(old, new)
    return conf


@dataclass
class Site:
    https_port: int
    http_port: int
    static: Path
    prefix: Path


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "nginx did not listen"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory) -> Iterator[Site]:
    """One gunicorn and one nginx for the module's tests (each starts in seconds on a loaded
    machine); only the rate-limit test spends a budget, from addresses of its own."""
    tmp_path = tmp_path_factory.mktemp("nginx-site")
    app = create_app(test_config(migrated_database))
    with app.app_context():
        empty_all_tables()
        create_account("author", "author@example.org", PASSWORD, Role.AUTHOR)
        create_account("reader", "reader@example.org", PASSWORD, Role.READER)
        db.session.commit()
        db.engine.dispose()
    make_post(app, title="Behind nginx", body="Words served through a proxy. " * 100)
    app_process, app_port = serve(
        migrated_database, tmp_path / "gunicorn.log", TRUSTED_PROXIES="1",
        RATELIMIT_ENABLED="true", RATELIMIT_LOGIN_IP="2 per hour", RATELIMIT_LOGIN_ACCOUNT="100 per hour",
    )
    prefix = tmp_path / "nginx"
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "acme"):
        (prefix / name).mkdir(parents=True)
    static = tmp_path / "static"  # a copy, with one file the app does not have
    shutil.copytree(PACKAGE_DIR / "static", static)
    (static / "only-on-disk.txt").write_text("served by nginx\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
                    "-keyout", str(prefix / "key.pem"), "-out", str(prefix / "cert.pem")],
                   check=True, capture_output=True)
    https_port, http_port = free_port(), free_port()
    server_block = adapted((ROOT / "deploy/nginx.conf").read_text(), {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(prefix / "cert.pem"),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(prefix / "key.pem"),
        "/srv/community/community/static/": f"{static}/",
        "/var/www/letsencrypt": str(prefix / "acme"),
    })
    (prefix / "community.conf").write_text(server_block)
    (prefix / "nginx.conf").write_text(f"""
daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/community.conf;
}}
""")
    nginx = subprocess.Popen(
        ["timeout", "--kill-after=5", str(LIFETIME), NGINX, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"),
         "-e", str(prefix / "error.log")],
        stdout=subprocess.DEVNULL, stderr=(prefix / "stderr.log").open("wb"), start_new_session=True,
    )
    try:
        wait_for_port(https_port, nginx, prefix / "stderr.log")
        yield Site(https_port, http_port, static, prefix)
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(timeout=30)
        app_process.terminate()
        app_process.wait(timeout=30)


@dataclass
class Browser:
    """HTTPS to nginx from a loopback address of its own (the client address the app should see),
    keeping cookies."""

    site: Site
    source: str = "127.0.0.2"
    cookies: SimpleCookie = field(default_factory=SimpleCookie)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", self.site.https_port, timeout=60,
                                                 context=context, source_address=(self.source, 0))
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response, data

    def get(self, path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        return self.request("GET", path, headers={key.replace("_", "-"): value for key, value in headers.items()})

    def csrf_token(self, path: str) -> str:
        class Token(HTMLParser):
            value = ""

            def handle_starttag(self, tag, attrs):
                values = dict(attrs)
                if tag == "meta" and values.get("name") == "csrf-token":
                    Token.value = values["content"]

        parser = Token()
        parser.feed(self.get(path)[1].decode())
        assert parser.value, f"no CSRF token on {path}"
        return parser.value

    def login(self, token: str, forged_for: str | None = None) -> int:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://{HOST}/auth/login"}
        if forged_for:
            headers["X-Forwarded-For"] = forged_for
        form = urlencode({"csrf_token": token, "login": "reader", "password": "not the password"}).encode()
        return self.request("POST", "/auth/login", body=form, headers=headers)[0].status


def test_pages_work_through_nginx_compressed_over_https(site):
    browser = Browser(site)
    response, body = browser.get("/", Accept_Encoding="gzip")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert b"Behind nginx" in gzip.decompress(body)
    # X-Forwarded-Proto reached the app: it knows the page went out over HTTPS.
    assert response.getheader("Strict-Transport-Security")
    post_page = "/posts/behind-nginx"
    for _ in range(2):  # drawn, then from the page cache
        response, body = browser.get(post_page, Accept_Encoding="gzip")
        assert response.status == 200 and b"Words served through a proxy." in gzip.decompress(body)
    assert browser.get("/healthz")[0].status == 200


def test_plain_http_is_sent_to_https(site):
    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=60)
    connection.request("GET", "/posts/behind-nginx", headers={"Host": HOST})
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/posts/behind-nginx"


def test_static_files_come_from_disk_with_the_year_long_header(site):
    browser = Browser(site)
    stylesheet = next(url for url in asset_urls(browser.get("/")[1].decode()) if ".css" in url)
    response, body = browser.get(stylesheet)
    assert response.status == 200
    assert response.getheader("Cache-Control") == IMMUTABLE
    assert body == (site.static / "css/site.css").read_bytes()
    response, body = browser.get(stylesheet, Accept_Encoding="gzip")
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (site.static / "css/site.css").read_bytes()
    assert browser.get("/static/css/site.css")[0].getheader("Cache-Control") == "no-cache"
    # Only the copy on disk has this file: nginx served it, not the app.
    response, body = browser.get("/static/only-on-disk.txt")
    assert (response.status, body) == (200, b"served by nginx\n")


def test_bodies_over_the_limit_are_refused_by_nginx(site):
    response, _ = Browser(site).request("POST", "/auth/login", body=b"x" * (5 * 1024 * 1024),
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413


def test_rate_limits_see_the_clients_address_which_a_forged_header_does_not_change(site):
    client = Browser(site, source="127.0.0.2")
    token = client.csrf_token("/auth/login")
    # RATELIMIT_LOGIN_IP is 2 per hour: each attempt claims another address, and none is believed.
    assert client.login(token, forged_for="198.51.100.1") != 429
    assert client.login(token, forged_for="198.51.100.2") != 429
    assert client.login(token, forged_for="198.51.100.3") == 429
    assert client.login(token) == 429
    # Another client (another address, as nginx sees it) has its own budget: the app's address is
    # the client's, not nginx's.
    other = Browser(site, source="127.0.0.3")
    assert other.login(other.csrf_token("/auth/login")) != 429
    # Claiming to be that other client changes nothing for the first.
    assert client.login(token, forged_for="127.0.0.3") == 429
