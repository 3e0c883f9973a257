"""The commands: `import-wordpress`, `import-disqus`, `export`, `import-export` and
`export-wordpress`. Each import runs in one transaction: a file that goes wrong half-way leaves
the database as it was."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import click
from flask import Flask
from flask.cli import with_appcontext

from community.extensions import db
from community.transfer.disqus import DisqusImport
from community.transfer.report import ImportReport
from community.transfer.wordpress import WordPressImport
from community.transfer.xmlstream import UnreadableFile

PROGRESS_FROM_BYTES = 1_000_000  # smaller files are read before a bar would be worth drawing


@contextmanager
def progress_bar(source: BinaryIO, label: str) -> Iterator[Callable[[], None]]:
    """A tick to call after each record: the bar follows how far into the file the parser is."""
    size = os.fstat(source.fileno()).st_size
    if size < PROGRESS_FROM_BYTES:
        yield lambda: None
        return
    with click.progressbar(length=size, label=label, file=click.get_text_stream("stderr")) as bar:
        done = 0

        def tick() -> None:
            nonlocal done
            position = source.tell()
            if position > done:
                bar.update(position - done)
                done = position

        yield tick


def lock_for_import() -> None:
    """On PostgreSQL, writes to posts and comments wait until the import commits (reads go on), so
    the ids it picks stay free; on SQLite the import already holds the one write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("LOCK TABLE posts, comments IN SHARE ROW EXCLUSIVE MODE"))


@contextmanager
def all_or_nothing(refusal: type[Exception]) -> Iterator[None]:
    """Any error rolls the import back; a `refusal` (the file is not one the reader takes) is
    told as a message, not a traceback."""
    try:
        yield
    except refusal as error:
        db.session.rollback()
        raise click.ClickException(f"{error} Nothing was imported.") from None
    except BaseException:
        db.session.rollback()
        raise


def run_import(path: str, dry_run: bool, importer: Callable[[BinaryIO, Callable[[], None]], ImportReport]) -> None:
    began = time.perf_counter()
    with open(path, "rb") as source, progress_bar(source, "Importing") as tick, all_or_nothing(UnreadableFile):
        lock_for_import()
        report = importer(source, tick)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report.lines(dry_run):
        click.echo(line)
    click.echo(f"{'Read' if dry_run else 'Imported'} in {time.perf_counter() - began:,.1f} s.")
    if not dry_run:
        _teach_spam_filter()


def _teach_spam_filter() -> None:
    """The imported history's decisions teach the spam filter (approved: good, spam: spam), after
    the import's own transaction, so a failure here never undoes the import (`spam-train
    --existing` does the same later)."""
    from community.spam.training import learn_imported

    began = time.perf_counter()
    spam, good = learn_imported()
    db.session.commit()
    if spam or good:
        click.echo(f"The spam filter learned from {spam + good:,} imported comments ({spam:,} spam, {good:,} good) "
                   f"in {time.perf_counter() - began:,.1f} s.")


def import_command(name: str, importer: type[WordPressImport | DisqusImport], help_text: str) -> click.Command:
    """A command that runs a fresh `importer` over one file, with --dry-run."""

    @click.command(name, help=help_text)
    @click.argument("export_file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Read and check everything, report, and save nothing.")
    @with_appcontext
    def command(export_file: str, dry_run: bool) -> None:
        run_import(export_file, dry_run, importer().run)

    return command


import_wordpress_command = import_command(
    "import-wordpress", WordPressImport,
    "Import a WordPress export (Tools → Export, WXR): posts, authors, comments, old links.")
import_disqus_command = import_command(
    "import-disqus", DisqusImport,
    "Import a Disqus export: its comments under the posts their threads' links name.")


@click.command("export")
@click.argument("export_file", type=click.Path(dir_okay=False, writable=True))
@click.option("--with-secrets", is_flag=True, help="Include password hashes (keep such a file safe).")
@with_appcontext
def export_command(export_file: str, with_secrets: bool) -> None:
    """Write the whole site as JSON Lines (see community/transfer/jsonl.py), to load with import-export."""
    from community.transfer.jsonl import write_export

    with open(export_file, "w", encoding="utf-8", newline="\n") as out:
        rows = write_export(out, with_secrets)
    db.session.rollback()
    click.echo(f"Exported {rows:,} rows to {export_file}" + (" with password hashes." if with_secrets else "; "
               "accounts without password hashes (they log in after a reset; --with-secrets keeps them)."))


@click.command("import-export")
@click.argument("export_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_export_command(export_file: str) -> None:
    """Load a file written by `export` into this site's empty database (after `flask db upgrade`)."""
    from community.transfer.jsonl import ExportError, import_lines

    with open(export_file, encoding="utf-8") as source, all_or_nothing(ExportError):
        loaded = import_lines(iter(source))
    db.session.commit()
    click.echo("Imported " + ", ".join(f"{count:,} {table}" for table, count in loaded.items()) + ".")


@click.command("export-wordpress")
@click.argument("export_file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_wordpress_command(export_file: str) -> None:
    """Write the site as a WordPress export (WXR), for WordPress's importer or this site's own."""
    from community.transfer.wxr_export import write_wxr

    with open(export_file, "w", encoding="utf-8", newline="\n") as out:
        write_wxr(out)
    db.session.rollback()
    click.echo(f"Wrote {export_file}; import it in WordPress under Tools → Import → WordPress.")


def register(app: Flask) -> None:
    app.cli.add_command(import_wordpress_command)
    app.cli.add_command(import_disqus_command)
    app.cli.add_command(export_command)
    app.cli.add_command(import_export_command)
    app.cli.add_command(export_wordpress_command)
