"""Community: essays and the threaded discussions under them. `create_app` builds the application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def _top_level_folder(name: str) -> Path:
    """templates/ or migrations/: inside the package when installed from a wheel (pyproject.toml
    force-includes them there), else the checkout's top-level folder."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / name


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application: settings, extensions, blueprints, error pages and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(_top_level_folder("templates")),
        static_folder="static",
    )
    register_config(app, config)
    register_request_text(app)
    register_extensions(app)
    register_security(app)
    register_routing(app)
    register_form_bodies(app)
    register_blueprints(app)
    register_rate_limits(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_delivery(app)
    register_spam_filter(app)
    register_commands(app)
    return app


def register_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    from community.config import check_settings, load_secret_key, settings_from_environment

    instance_path = Path(app.instance_path)
    app.config.update(settings_from_environment(instance_path))
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(instance_path, app.config.get("SITE_URL"))
    check_settings(app.config)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        if uri.startswith(f"sqlite:///{instance_path}"):
            instance_path.mkdir(parents=True, exist_ok=True)
        # Wait for a writer rather than failing at once with "database is locked".
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    else:
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})


def register_request_text(app: Flask) -> None:
    from community.request_text import register

    register(app)  # NUL in a form or query string becomes U+FFFD (community.request_text)


def register_extensions(app: Flask) -> None:
    from community import models  # noqa: F401  (registers the tables with the metadata)
    from community.extensions import cache, csrf, db, login_manager, migrate

    from community.session_cookie import SessionCookie

    app.session_interface = SessionCookie()
    db.init_app(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(_top_level_folder("migrations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from community import sqlite

            sqlite.configure(db.engine)


def register_security(app: Flask) -> None:
    from community.security import register

    register(app)  # headers, body limit, proxies, and the session version (community.security)


def register_form_bodies(app: Flask) -> None:
    from community.forms import refuse_json_bodies

    app.before_request(refuse_json_bodies)  # forms read form fields only (community.forms)


def register_routing(app: Flask) -> None:
    from community.routing import register

    register(app)  # before the blueprints: their <int:...> ids are bounded


def register_blueprints(app: Flask) -> None:
    from community.auth.views import bp as auth_bp
    from community.avatars import bp as avatars_bp
    from community.comments.views import bp as comments_bp
    from community.feeds.views import bp as feeds_bp
    from community.health.views import bp as health_bp
    from community.personal_data.views import bp as personal_data_bp
    from community.transfer.old_links import bp as old_links_bp
    from community.likes.views import bp as likes_bp
    from community.moderation.views import bp as moderation_bp
    from community.people.views import bp as people_bp
    from community.notifications.views import bp as notifications_bp
    from community.posts.views import bp as posts_bp
    from community.search.views import bp as search_bp
    from community.site_files import bp as site_files_bp

    for blueprint in (auth_bp, posts_bp, comments_bp, likes_bp, moderation_bp, avatars_bp, feeds_bp, health_bp,
                      old_links_bp, personal_data_bp,
                      notifications_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(search_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(site_files_bp)


def register_rate_limits(app: Flask) -> None:
    from community.ratelimits import register

    register(app)  # after the blueprints: it limits their views


def register_errorhandlers(app: Flask) -> None:
    from community.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from community.templating import register

    register(app)


def register_delivery(app: Flask) -> None:
    from community.delivery import compression, static_files

    static_files.register(app)  # hashed static URLs, cached for a year
    compression.register(app)  # brotli or gzip, for HTML, CSS, JS, SVG, JSON and feeds


def register_spam_filter(app: Flask) -> None:
    from community.spam import register

    register(app)  # the comment form's token, and the spam-eval and spam-train commands
    # spam-eval builds a site of its own with the factory, given here so the spam package need
    # not import the package that registers it (no import cycle).
    app.extensions["site_factory"] = create_app


def register_commands(app: Flask) -> None:
    from community.cli import register
    from community.notifications.worker import register as register_mail_worker

    register(app)
    register_mail_worker(app)
