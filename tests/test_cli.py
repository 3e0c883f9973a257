"""Commands: create-user and demo."""

from __future__ import annotations

import re

import sqlalchemy as sa

from community.extensions import db
from community.models import Post, PostStatus, User
from community.services.accounts import authenticate
from tests.conftest import PASSWORD


def test_create_user_with_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "Boss", "--email", "boss@example.org", "--role", "admin", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created admin Boss" in result.output
    with app.app_context():
        user = authenticate("boss", PASSWORD)
        assert user is not None and user.is_admin


def test_create_user_asks_for_the_password_twice(app, runner):
    result = runner.invoke(args=["create-user", "writer", "--email", "w@example.org", "--role", "author"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate("writer", PASSWORD).role == "author"


def test_create_user_refuses_bad_input_and_saves_nothing(app, runner):
    result = runner.invoke(args=["create-user", "x", "--email", "x@example.org", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "A username is 3 to 30" in result.output
    result = runner.invoke(args=["create-user", "fine_name", "--email", "x@example.org", "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "8 to 128" in result.output
    result = runner.invoke(args=["create-user", "fine_name", "--email", "x@example.org", "--role", "king", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_demo_loads_once_and_prints_each_account_with_its_role_and_password(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "passwords shown only now" in first.output
    table = {line.split()[0]: line.split()[1:] for line in first.output.splitlines() if line.startswith("  ")}
    assert table["account"] == ["role", "password"]
    assert table["noor"][0] == "moderator" and table["miriam"][0] == "author" and table["ana"][0] == "reader"
    role, admin_password = table["admin"]
    assert role == "admin" and table["ana"][1] == table["miriam"][1] != admin_password
    with app.app_context():
        assert authenticate("ana", table["ana"][1]) is not None
    second = runner.invoke(args=["demo"])
    assert "already loaded" in second.output
    with app.app_context():
        posts = db.session.scalars(sa.select(Post)).all()
        assert len(posts) == 2 and all(p.status == PostStatus.PUBLISHED for p in posts)
        assert authenticate("admin", admin_password).is_admin
        assert db.session.scalar(sa.select(sa.func.count(User.id))) >= 5


def test_seed_discussion_builds_true_threads_and_prints_the_path_last(app, runner, client):
    from community.models import Comment
    from community.services.counts import find_drift

    result = runner.invoke(args=["seed-discussion", "--comments", "300", "--posts", "2", "--readers", "20"])
    assert result.exit_code == 0, result.output
    path = result.output.strip().splitlines()[-1]
    assert path.startswith("/posts/")
    with app.app_context():
        depths = db.session.scalars(sa.select(Comment.depth)).all()
        assert len(depths) == 300 and max(depths) <= 5
        assert 0.3 < sum(depth > 1 for depth in depths) / len(depths) < 0.7  # about half are replies
        assert find_drift() == []
    page = client.get(path)
    assert page.status_code == 200 and "thoughts on" in page.get_data(as_text=True)
    # The accounts sign in with the password printed, made anew each run: none is known from the code.
    reader, password = re.search(r"sign in as (\S+) with the password (\S+)", result.output).groups()
    with app.app_context():
        assert authenticate(reader, password) is not None
    # The ids were chosen by the seeder: new rows still get fresh ones.
    again = runner.invoke(args=["seed-discussion", "--comments", "10", "--readers", "3"])
    assert again.exit_code == 0, again.output
    assert re.search(r"with the password (\S+)", again.output).group(1) != password
