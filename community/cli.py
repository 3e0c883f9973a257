"""Commands: `flask --app wsgi create-user`, `demo`, `recount`, `seed-discussion`, `search-rebuild`."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from community.extensions import db
from community.models import Role
from community.services import DomainError
from community.services.accounts import create_account


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--email", required=True, help="The account's email address.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.READER.value,
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(username: str, email: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_account(username, email, password, Role(role))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.username} <{user.email}>.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo site (accounts, two essays and their discussions) once; later runs do nothing."""
    from community.demo import load_demo

    report = load_demo()
    click.echo(report)


@click.command("recount")
@with_appcontext
def recount_command() -> None:
    """Set every stored comment and like count to its COUNT(*), and say how many were off."""
    from community.services.counts import recount

    wrong = recount()
    db.session.commit()
    click.echo(f"Recounted; {wrong} stored count{'s were' if wrong != 1 else ' was'} wrong.")


@click.command("seed-discussion")
@click.option("--comments", type=click.IntRange(0, 10_000_000), default=200, show_default=True)
@click.option("--posts", type=click.IntRange(1, 1_000_000), default=1, show_default=True)
@click.option("--readers", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--password", help="The seeded accounts' password; a random one is made and printed by default.")
@with_appcontext
def seed_discussion_command(comments: int, posts: int, readers: int, password: str | None) -> None:
    """Fill posts with a realistic discussion for benchmarks; prints a post's path last."""
    from community.seeding import seed_discussion

    password = password or secrets.token_urlsafe(12)  # never a password known from the code
    report = seed_discussion(comments, password, posts, readers)
    click.echo(f"Seeded {report.comments:,} comments on {len(report.post_paths):,} posts by {report.users:,} accounts; "
               f"sign in as {report.a_reader} with the password {password}")
    click.echo(report.post_paths[0])


@click.command("search-rebuild")
@with_appcontext
def search_rebuild_command() -> None:
    """Build the full-text index again from the posts and comments, and check it (SQLite)."""
    from community.search import schema

    schema.rebuild()
    schema.check()
    db.session.commit()
    click.echo("The search index is rebuilt.")


def register(app: Flask) -> None:
    from community.transfer.cli import register as register_transfer

    register_transfer(app)  # import-wordpress and the other moves in and out
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(recount_command)
    app.cli.add_command(seed_discussion_command)
    app.cli.add_command(search_rebuild_command)
