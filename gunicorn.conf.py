"""gunicorn's settings for Community, read by gunicorn from the directory it starts in (or with
`--config gunicorn.conf.py`): forwarded headers are trusted only as TRUSTED_PROXIES says.

Left to its defaults, gunicorn believes X-Forwarded-Proto (and X-Forwarded-Protocol,
X-Forwarded-Ssl) from any connection on 127.0.0.1, so anyone who reaches it directly could make a
plain HTTP request look like HTTPS. With TRUSTED_PROXIES=0 (nothing in front, the default)
nothing forwarded is believed; with a proxy in front, only what comes from FORWARDED_ALLOW_IPS
(gunicorn's own variable; by default the proxy on this machine, 127.0.0.1 and ::1). The client's
address and scheme are then taken by the app itself (Werkzeug's ProxyFix, community/security.py).
"""

import os

_trusted_proxies = int(os.environ.get("TRUSTED_PROXIES", "").strip() or 0)

if _trusted_proxies:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""
    secure_scheme_headers: dict[str, str] = {}  # a UNIX socket's peer is always "allowed": believe no header at all

# Workers: WEB_CONCURRENCY (gunicorn's own variable; `make serve WORKERS=n` sets it), else two per
# CPU this process may run on, plus one, as gunicorn's documentation suggests for sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "").strip() or 2 * len(os.sched_getaffinity(0)) + 1)
# The app is built once, in the master, before any worker is forked: a missing production setting
# stops the server at once with its message (wsgi.py), instead of each worker failing in turn, and
# workers start warm and share the master's memory.
preload_app = True


def post_fork(server, worker):  # noqa: ARG001 (gunicorn's hook signature)
    """Each worker opens its own database connections, never one of the master's."""
    from wsgi import app

    from community.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
