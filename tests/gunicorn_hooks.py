"""gunicorn settings for tests/live_server.py. The app is preloaded in the master and warmed there
once, so every worker, and every replacement of a killed one, starts as a worker that has served
a while (templates compiled, statements cached) instead of spending its first second on that;
each forked worker starts with no database connection of the master's."""


def when_ready(server):  # noqa: ARG001 (gunicorn's hook signature): before the first worker is forked
    import sqlalchemy as sa
    from wsgi import app

    from community.extensions import db
    from community.models import Post

    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
    client = app.test_client()
    with app.app_context():
        slugs = db.session.scalars(sa.select(Post.slug).limit(1)).all()
    for path in ["/", "/auth/login", *(f"/posts/{slug}" for slug in slugs)]:
        client.get(path)
    with app.app_context():
        db.engine.dispose()


def post_fork(server, worker):  # noqa: ARG001
    from wsgi import app

    from community.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
