"""Rate limits: one table of how often each action may be done, per address or per account, put on
the views by Flask-Limiter, and the answer a person gets when they go over (HTTP 429)."""

from __future__ import annotations

import math
import os
import unicodedata
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask.wrappers import Response
from flask_limiter import RateLimitExceeded, RouteLimit
from flask_login import current_user
from limits import parse_many
from werkzeug.exceptions import HTTPException

from community.extensions import limiter

# Defaults in the spirit of Discourse's (config/site_settings.yml, "rate_limits"): every setting
# is also an environment variable holding limits like "10 per minute;100 per day".
DEFAULT_LIMITS: dict[str, str] = {
    "RATELIMIT_LOGIN_IP": "6 per minute;30 per hour",  # max_logins_per_ip_per_minute/_hour
    "RATELIMIT_LOGIN_ACCOUNT": "6 per minute;30 per hour",  # the same, for the account named
    "RATELIMIT_SIGNUPS": "3 per hour;10 per day",  # max_new_accounts_per_registration_ip
    "RATELIMIT_SIGNUP_ATTEMPTS": "20 per hour",
    "RATELIMIT_SIGNUP_EMAILS": "1 per 10 minutes;5 per day",  # sign-up emails to one address
    "RATELIMIT_COMMENTS": "5 per minute;50 per hour;200 per day",  # beside FLOOD_SECONDS
    "RATELIMIT_LIKES": "20 per minute;100 per day",  # max_likes_per_day, 50 to 150 by trust level
    "RATELIMIT_REPORTS": "5 per minute;20 per day",  # max_flags_per_day
    "RATELIMIT_PASSWORD_CHANGE": "6 per minute;30 per hour",  # as logins: it checks a password
    "RATELIMIT_PASSWORD_FORGOT": "3 per minute;6 per hour",  # forgot-password per IP
    "RATELIMIT_PASSWORD_FORGOT_ACCOUNT": "3 per minute;12 per hour",  # forgot-password per login
    "RATELIMIT_PASSWORD_RESET": "6 per minute;30 per hour",
    "RATELIMIT_PREVIEW": "60 per minute",
}


def settings_from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """RATELIMIT_ENABLED (default on) and the limits, each from the environment variable of its
    name; `register` sets them unless the app's config already has them (tests do)."""
    enabled = environ.get("RATELIMIT_ENABLED", "").strip().lower()
    settings: dict[str, Any] = {"RATELIMIT_ENABLED": enabled not in {"0", "false", "no", "off"}}
    for name, default in DEFAULT_LIMITS.items():
        settings[name] = environ.get(name, "").strip() or default
    return settings


# --- Whose budget a request spends ------------------------------------------------------------


def per_ip() -> str:
    """The client's address (request.remote_addr, which ProxyFix corrects behind a proxy)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def per_account() -> str:
    """The signed-in account; empty for guests, so the limit is skipped (guests are refused or
    limited per address elsewhere)."""
    return f"account:{current_user.get_id()}" if current_user.is_authenticated else ""


def per_ip_previewing() -> str:
    """The client's address when an essay form asks for a preview (Markdown drawn on demand, the
    costliest thing a writer can ask for); empty, so no limit, when it saves."""
    return per_ip() if request.form.get("preview") else ""


def per_account_or_ip() -> str:
    return per_account() or per_ip()


def per_typed_login() -> str:
    """What a login or reset form names, as typed (NFKC, trimmed, case folded), so one account
    cannot be tried from many addresses. Never the account it resolves to: one budget for a
    username and its email would tell someone with two addresses that the two belong together
    (spend it through one, watch the other refused), and the key would need the database."""
    typed = request.form.get("login") or request.form.get("email") or ""
    name = unicodedata.normalize("NFKC", typed).strip().casefold()[:254]
    return f"login:{name}" if name else ""


def is_staff() -> bool:
    """Moderators and admins are not limited in what they write, like or report (as in Discourse,
    where staff are exempt); logins and passwords are limited for everyone."""
    from community.services.moderation import can_moderate

    return can_moderate(current_user)


def saved(response: Response) -> bool:
    """The action was done (not refused, not a preview): for limits on what is made, not tried."""
    return response.status_code < 400 and not request.form.get("preview")


# --- The table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One budget: `setting` names the limits, `key` whose they are; every POST spends from it,
    or only those `counts` accepts. `shared` names a budget several endpoints spend together."""

    setting: str
    key: Callable[[], str]
    refusal: str
    counts: Callable[[Response], bool] | None = None
    staff_exempt: bool = False
    shared: str | None = None


TOO_MANY_LOGINS = "Too many login attempts."
TOO_MANY_PASSWORDS = "Too many password attempts."
TOO_MANY_RESETS = "Too many password reset requests."
TOO_MANY_LIKES = "You have liked and unliked very often."

RATE_LIMITS: dict[str, tuple[Rule, ...]] = {
    "auth.login": (
        Rule("RATELIMIT_LOGIN_IP", per_ip, TOO_MANY_LOGINS),
        Rule("RATELIMIT_LOGIN_ACCOUNT", per_typed_login, TOO_MANY_LOGINS),
    ),
    # The first step mails a link; the second, behind it, makes the account.
    "auth.register": (
        Rule("RATELIMIT_SIGNUPS", per_ip, "Too many sign-ups were asked for from your address.", counts=saved),
        Rule("RATELIMIT_SIGNUP_ATTEMPTS", per_ip, "Too many sign-up attempts."),
    ),
    "auth.confirm_signup": (
        Rule("RATELIMIT_SIGNUPS", per_ip, "Too many accounts were made from your address.", counts=saved),
        Rule("RATELIMIT_SIGNUP_ATTEMPTS", per_ip, "Too many sign-up attempts."),
    ),
    "comments.create": (
        Rule("RATELIMIT_COMMENTS", per_account_or_ip, "You are commenting faster than this site allows.",
             counts=saved, staff_exempt=True),
    ),
    "comments.preview": (
        Rule("RATELIMIT_PREVIEW", per_ip, "Too many previews.", staff_exempt=True),
    ),
    "posts.new": (Rule("RATELIMIT_PREVIEW", per_ip_previewing, "Too many previews.", staff_exempt=True),),
    "posts.edit": (Rule("RATELIMIT_PREVIEW", per_ip_previewing, "Too many previews.", staff_exempt=True),),
    "likes.post_like": (
        Rule("RATELIMIT_LIKES", per_account, TOO_MANY_LIKES, counts=saved, staff_exempt=True, shared="likes"),
    ),
    "likes.comment_like": (
        Rule("RATELIMIT_LIKES", per_account, TOO_MANY_LIKES, counts=saved, staff_exempt=True, shared="likes"),
    ),
    "comments.report": (
        Rule("RATELIMIT_REPORTS", per_account, "You have sent many reports.", counts=saved, staff_exempt=True),
    ),
    "auth.change_password": (
        Rule("RATELIMIT_PASSWORD_CHANGE", per_account, TOO_MANY_PASSWORDS),
        Rule("RATELIMIT_PASSWORD_CHANGE", per_ip, TOO_MANY_PASSWORDS),
    ),
    # Asks for the password, and sends an email to an address of one's choosing.
    "people.change_email": (
        Rule("RATELIMIT_PASSWORD_CHANGE", per_account, TOO_MANY_PASSWORDS),
        Rule("RATELIMIT_PASSWORD_CHANGE", per_ip, TOO_MANY_PASSWORDS),
    ),
    "auth.forgot_password": (
        Rule("RATELIMIT_PASSWORD_FORGOT", per_ip, TOO_MANY_RESETS),
        Rule("RATELIMIT_PASSWORD_FORGOT_ACCOUNT", per_typed_login, TOO_MANY_RESETS),
    ),
    "auth.reset_password": (
        Rule("RATELIMIT_PASSWORD_RESET", per_ip, TOO_MANY_PASSWORDS),
    ),
}


def spend_if_allowed(setting: str, key: str) -> bool:
    """Spend one from the budget `setting` names for `key`, in the limiter's storage (so Redis or
    the shared file counts it for every worker); False, spending nothing, when it is used up. For
    budgets no route has, such as the emails sent to one address; always True when limits are off."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True
    limits = parse_many(config[setting])
    args = [config.get("RATELIMIT_KEY_PREFIX") or "", setting.lower(), key]
    if not all(limiter.limiter.test(limit, *args) for limit in limits):
        return False
    return all([limiter.limiter.hit(limit, *args) for limit in limits])


def _configured_limits(setting: str) -> str:
    return current_app.config[setting]


_route_limits: dict[str, list[RouteLimit]] = {}


def route_limits(endpoint: str) -> list[RouteLimit]:
    """The Flask-Limiter limits of an endpoint, made once: the limiter is one object for every app
    of the process, and it knows a limit by identity. The limits are read from the config of the
    app serving each request."""
    if endpoint not in _route_limits:
        made = []
        for rule in RATE_LIMITS[endpoint]:
            options: dict[str, Any] = {
                "key_func": rule.key,
                "methods": ["POST"],  # pages are read freely; only what changes something counts
                "error_message": rule.refusal,
                "exempt_when": is_staff if rule.staff_exempt else None,
                "deduct_when": rule.counts,
            }
            provider = partial(_configured_limits, rule.setting)
            if rule.shared:
                made.append(limiter.shared_limit(provider, scope=rule.shared, **options))
            else:
                made.append(limiter.limit(provider, **options))
        _route_limits[endpoint] = made
    return _route_limits[endpoint]


def check_settings(config: Mapping[str, Any]) -> None:
    """A limit that does not parse stops the server at start, not at the first request."""
    for name in DEFAULT_LIMITS:
        value = config.get(name)
        try:
            parsed = parse_many(value) if isinstance(value, str) else []
        except ValueError:
            parsed = []
        if not parsed:
            raise RuntimeError(f'{name} must be limits like "10 per minute;100 per day", not {value!r}')


def apply_rate_limits(app: Flask) -> None:
    """Put the table's limits on the app's views (after the blueprints are registered)."""
    missing = sorted(set(RATE_LIMITS) - set(app.view_functions))
    if missing:
        raise RuntimeError(f"The rate-limit table names endpoints the app does not have: {', '.join(missing)}")
    for endpoint in RATE_LIMITS:
        view = app.view_functions[endpoint]
        for route_limit in route_limits(endpoint):
            view = route_limit(view)
        app.view_functions[endpoint] = view


def register(app: Flask) -> None:
    """Storage in Redis when REDIS_URL is set (shared by every app server), else in an SQLite file
    every worker of this machine shares (community/ratelimit_file.py); RATELIMIT_STORAGE_URI
    decides outright (tests use memory://)."""
    from community.ratelimit_file import file_storage_uri  # registers the community-sqlite:// scheme

    for name, value in settings_from_environment().items():
        app.config.setdefault(name, value)
    check_settings(app.config)
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or file_storage_uri(app.instance_path)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")  # a true sliding window, as Discourse's
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "community")
    limiter.init_app(app)
    # Every limit of this site belongs to a route of the table, and the wrapper apply_rate_limits
    # puts on each view checks it. The extension's own check before every request only looks for
    # application-wide and default limits, which the site has none of, and it would cost a
    # sixth of a cached page's time on every read.
    if limiter._check_request_limit in app.before_request_funcs.get(None, []):  # absent when disabled
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    apply_rate_limits(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


# --- Over the limit -----------------------------------------------------------------------------


def seconds_until_allowed() -> int:
    """How long until every exhausted budget of this request has room again (the longest wait,
    so "try again" is not followed by another refusal)."""
    waits = []
    endpoint = request.endpoint or ""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    for route_limit in route_limits(endpoint) if endpoint in RATE_LIMITS else []:
        for runtime in route_limit:
            if runtime.is_exempt or runtime.method_exempt:
                continue
            args = [runtime.key_func(), runtime.scope_for(endpoint, request.method)]
            if not all(args):
                continue
            if prefix:
                args.insert(0, prefix)
            if not limiter.limiter.test(runtime.limit, *args):
                reset_at, _remaining = limiter.limiter.get_window_stats(runtime.limit, *args)
                waits.append(reset_at - time.time())
    if not waits and limiter.current_limit is not None:
        waits.append(limiter.current_limit.reset_at - time.time())
    return max(1, math.ceil(max(waits, default=1)))


def in_words(seconds: int) -> str:
    """42 → "42 seconds", 90 → "2 minutes", 5400 → "2 hours": rounded up, never too soon."""
    count, unit = seconds, "second"
    if seconds >= 3600:
        count, unit = math.ceil(seconds / 3600), "hour"
    elif seconds >= 60:
        count, unit = math.ceil(seconds / 60), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


# A form shown again with the refusal at one of its fields, keeping what was typed: each
# blueprint says which of its endpoints have one (`forms_again`), and draws it itself.
FormAgain = tuple[str, Callable[[str, str], Any]]  # (field, draw the page with (field, message))


def forms_again(forms: Mapping[str, FormAgain]) -> Callable[[RateLimitExceeded], Any]:
    """A blueprint's 429 handler: the refusal with the blueprint's own form where it has one."""
    return partial(too_many_requests, forms=forms)


def too_many_requests(error: RateLimitExceeded, forms: Mapping[str, FormAgain] = MappingProxyType({})):
    """429 with Retry-After, and in words when to try again: JSON for scripts, else the form
    shown again where the blueprint has one (`forms_again`), else the error page."""
    from community.errors import error_response, wants_json

    seconds = seconds_until_allowed()
    message = f"{error.description} Try again in {in_words(seconds)}."
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    field, form_again = forms.get(request.endpoint or "", (None, None))
    if wants_json():
        body: dict[str, Any] = {"error": message, "status": 429, "retry_after": seconds}
        if field:
            body["errors"] = {field: [message]}
        return jsonify(body), 429, headers
    if form_again is not None:
        try:
            return form_again(field, message), 429, headers
        except HTTPException:  # the post or comment is gone: the plain page says it all the same
            pass
    page, status = error_response(429, message, title="Please wait a little")
    return page, status, headers
