"""Settings, read from the environment once at start; every name is documented in README.md."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, low: int, high: int) -> int:
    """An integer setting, refused at start when it is out of range (a misconfigured server fails early)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise RuntimeError(f"{name} must be between {low} and {high}, not {value}")
    return value


def load_secret_key(instance_path: Path, site_url: str | None = None) -> str:
    """SECRET_KEY from the environment, else from instance/secret_key, generated there on first run;
    a site served over HTTPS (SITE_URL https://...) is a production site, and refuses to start
    without it in the environment: every app server must share one key, kept outside the checkout."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    if site_url and site_url.startswith("https://"):
        raise RuntimeError(
            f"SITE_URL is {site_url}, so this is a production site, and SECRET_KEY is not set in the "
            "environment. Set it (the same on every app server) rather than relying on a key generated "
            "into instance/secret_key, e.g. SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions, atomically: two workers starting at once agree.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def cache_settings(redis_url: str | None) -> dict[str, Any]:
    """Flask-Caching shares drawn pages between app servers through Redis when given; every
    process also keeps the pages it uses in memory (discussion.cache.LocalPages), so without
    Redis there is nothing more to share."""
    if redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "community:",
                "CACHE_DEFAULT_TIMEOUT": 3600}
    return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


DEFAULT_CHATBOT_PHRASES = "\n".join([
    "as an ai language model", "as an ai,", "i can tune it however you like", "certainly! here's",
    "certainly! here is", "here's a thoughtful comment", "here is a thoughtful comment",
    "if you want it sharper, softer", "i hope this helps!", "feel free to let me know if",
    "would you like me to", "let me know if you'd like", "here's a revised version", "i'm sorry, but i can't",
])


def settings_from_environment(instance_path: Path) -> dict[str, Any]:
    """All settings with their defaults; tests pass a mapping that overrides any of them."""
    return {
        "SITE_NAME": os.environ.get("SITE_NAME", "Community"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'community.sqlite3'}"
        ),
        "POSTS_PER_PAGE": 10,
        "GUEST_COMMENTS": _env_bool("GUEST_COMMENTS", True),
        "THREAD_DEPTH": _env_int("THREAD_DEPTH", 5, 1, 10),
        "COMMENTS_PER_PAGE": _env_int("COMMENTS_PER_PAGE", 50, 1, 1000),
        # Moderation: the first five are defaults for the rules admins edit at /moderation/settings.
        "HOLD_ALL_COMMENTS": _env_bool("HOLD_ALL_COMMENTS", False),
        "HOLD_FIRST_COMMENT": _env_bool("HOLD_FIRST_COMMENT", True),
        "MAX_LINKS": _env_int("MAX_LINKS", 2, 0, 100),
        "FLOOD_SECONDS": _env_int("FLOOD_SECONDS", 15, 0, 3600),
        "CLOSE_AFTER_DAYS": _env_int("CLOSE_AFTER_DAYS", 0, 0, 36500),
        "REPORT_HIDE_THRESHOLD": _env_int("REPORT_HIDE_THRESHOLD", 3, 1, 100),
        "EDIT_WINDOW_MINUTES": _env_int("EDIT_WINDOW_MINUTES", 15, 0, 10080),
        # The spam filter (community.spam): SPAM_FORM_CHECKS=false stops the form's token checks
        # (time to fill, age, reuse) for clients that post without the page's form; the phrases
        # are the default for the list admins edit; SPAM_MAX_TOKENS bounds the learned statistics.
        "SPAM_FORM_CHECKS": _env_bool("SPAM_FORM_CHECKS", True),
        "SPAM_CHATBOT_PHRASES": DEFAULT_CHATBOT_PHRASES,
        "SPAM_MAX_TOKENS": _env_int("SPAM_MAX_TOKENS", 200_000, 1_000, 100_000_000),
        # Shared state for several app servers: with REDIS_URL the page cache lives in Redis,
        # otherwise in each process (correct either way: cached pages are keyed by version).
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        **cache_settings(os.environ.get("REDIS_URL")),
        "PAGE_CACHE": _env_bool("PAGE_CACHE", True),
        "PAGE_CACHE_MB": _env_int("PAGE_CACHE_MB", 32, 1, 4096),
        **security_settings(),
        **mail_settings(),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    }


def _site_url() -> str | None:
    """SITE_URL, the address people use (https://community.example): links in emails start with it."""
    raw = (os.environ.get("SITE_URL") or "").strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
        raise RuntimeError(f"SITE_URL must be a scheme and host like https://community.example, not {raw!r}")
    return raw


def _local_url() -> str:
    """The address of a development server (`make run`'s HOST and PORT): links in emails written to
    the log start with it when SITE_URL is unset, never with the Host header of a request."""
    host = (os.environ.get("HOST") or "127.0.0.1").strip()
    port = _env_int("PORT", 5000, 1, 65535)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def check_settings(config: Mapping[str, Any]) -> None:
    """Settings that only make sense together, checked once the app's config is complete."""
    if config.get("MAIL_SERVER") and not config.get("SITE_URL"):
        raise RuntimeError(
            "MAIL_SERVER is set but SITE_URL is not: links in emails (password resets) must start with the "
            "site's public address, never with the Host a request sent. Set SITE_URL=https://your.domain."
        )


def security_settings() -> dict[str, Any]:
    """Cookies, the request size limit, proxies and HSTS; SECURITY.md explains each."""
    site_url = _site_url()
    # Secure cookies by default once the site says it is served over HTTPS; SECURE_COOKIES decides
    # when set (a development server on http://127.0.0.1 keeps them off).
    secure = _env_bool("SECURE_COOKIES", bool(site_url and site_url.startswith("https://")))
    # Above the largest legitimate form (a 100,000-character essay in any script, percent-encoded,
    # is at most 1.2 MB), so a too-long comment or post gets its error at the field, not a 413.
    max_body = _env_int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024)
    return {
        "SITE_URL": site_url,
        "LOCAL_URL": _local_url(),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "MAX_CONTENT_LENGTH": max_body,
        "MAX_FORM_MEMORY_SIZE": max_body,  # one limit, whether a form is sent url-encoded or multipart
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0, 0, 10),
        "HSTS_SECONDS": _env_int("HSTS_SECONDS", 365 * 24 * 3600, 0, 2 * 365 * 24 * 3600),
    }


def mail_settings() -> dict[str, Any]:
    """SMTP for the emails the site sends (password resets); without MAIL_SERVER they go to the log."""
    use_ssl = _env_bool("MAIL_USE_SSL", False)
    use_tls = _env_bool("MAIL_USE_TLS", not use_ssl)
    return {
        "MAIL_SERVER": (os.environ.get("MAIL_SERVER") or "").strip() or None,
        "MAIL_PORT": _env_int("MAIL_PORT", 465 if use_ssl else 587 if use_tls else 25, 1, 65535),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "no-reply@localhost",
        "MAIL_TIMEOUT": 10,
        "MAIL_IN_BACKGROUND": True,  # the answer does not wait for (or reveal) the SMTP exchange
        # Notifications (community.notifications): one email per person per post per this many minutes.
        "NOTIFY_BATCH_MINUTES": _env_int("NOTIFY_BATCH_MINUTES", 10, 0, 1440),
        "NOTIFY_DIGEST_HOURS": _env_int("NOTIFY_DIGEST_HOURS", 24, 0, 168),
        "NOTIFY_RETRY_HOURS": _env_int("NOTIFY_RETRY_HOURS", 24, 1, 168),
        "NOTIFY_BOUNCE_LIMIT": 3,
    }
